/**
 * The OpenStack provider's committed lock: well formed, of the pinned version, written
 * into exactly the stacks that use the provider, kept or extended where a stack has a
 * lock already, and enforced by a real `terraform init` (a package it does not list is
 * refused; without the lock the same package installs).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPENSTACK_PROVIDER_CONSTRAINT } from '../targets/openstack';
import {
  LOCK_FILE_NAME,
  OPENSTACK_PROVIDER_LOCK_FILE,
  OPENSTACK_PROVIDER_SOURCE,
  openstackProviderLock,
  writeProviderLocks,
} from '../targets/openstack/provider-lock';
import { loadProfile } from '../profile/load';
import { buildPlan } from '../plan/plan';
import { target } from './support/shapes';
import { synthesize } from './support/synth';

const profile = loadProfile();
const synthOf = (cloud: 'aws' | 'openstack') => {
  const config = target(cloud);
  return synthesize(buildPlan(profile, config), config);
};

test('the lock names the pinned version, one unpacked-package hash and a hash per release archive', () => {
  const lock = openstackProviderLock();
  expect(lock.startsWith(`provider "registry.terraform.io/${OPENSTACK_PROVIDER_SOURCE}" {\n`)).toBe(true);
  const version = OPENSTACK_PROVIDER_CONSTRAINT.replace(/^= /, '');
  expect(lock).toContain(`  version     = "${version}"\n  constraints = "${version}"\n`);
  const hashes = [...lock.matchAll(/^ {4}"([^"]+)",$/gm)].map((m) => m[1]);
  expect(hashes.filter((h) => /^h1:[A-Za-z0-9+/]{43}=$/.test(h))).toHaveLength(1);
  const zh = hashes.filter((h) => /^zh:[0-9a-f]{64}$/.test(h));
  expect(zh.length + 1).toBe(hashes.length);
  expect([...zh].sort()).toEqual(zh);
  expect(new Set(zh).size).toBe(zh.length);
  // The linux_amd64 archive, as recorded by a project that downloaded it.
  expect(zh).toContain('zh:11b3c88e24197a29b13cf5ab41771944bd16707b561645323e8cbb4f1da00b7b');
});

test.each([
  ['aws', ['canary', 'canary-projects']],
  ['openstack', 'every'],
] as const)('on %s, the lock goes into the stacks that use the provider: %s', (cloud, expected) => {
  const { outdir, stacks } = synthOf(cloud);
  const users = Object.keys(stacks).filter((name) =>
    Object.values<any>(stacks[name].terraform?.required_providers ?? {}).some((p) => p.source === OPENSTACK_PROVIDER_SOURCE),
  );
  expect(writeProviderLocks(outdir)).toEqual(users);
  expect(users).toEqual(expected === 'every' ? Object.keys(stacks) : expected);
  for (const name of users) expect(readFileSync(join(outdir, 'stacks', name, LOCK_FILE_NAME), 'utf8')).toContain(openstackProviderLock());
});

test("a stack's own lock is kept; one without the provider gets its entry", () => {
  const { outdir } = synthOf('aws');
  const own =
    '# written by terraform init\n\nprovider "registry.terraform.io/terraform-provider-openstack/openstack" {\n  version = "3.4.0"\n}\n';
  const other = 'provider "registry.terraform.io/hashicorp/random" {\n  version = "3.6.0"\n}\n';
  writeFileSync(join(outdir, 'stacks', 'canary', LOCK_FILE_NAME), own);
  writeFileSync(join(outdir, 'stacks', 'canary-projects', LOCK_FILE_NAME), other);
  writeProviderLocks(outdir);
  expect(readFileSync(join(outdir, 'stacks', 'canary', LOCK_FILE_NAME), 'utf8')).toBe(own);
  expect(readFileSync(join(outdir, 'stacks', 'canary-projects', LOCK_FILE_NAME), 'utf8')).toBe(`${other}\n${openstackProviderLock()}`);
  writeProviderLocks(outdir);
  expect(readFileSync(join(outdir, 'stacks', 'canary-projects', LOCK_FILE_NAME), 'utf8')).toBe(`${other}\n${openstackProviderLock()}`);
});

describe('terraform init with the lock (Terraform 1.11, a packed filesystem mirror)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provider-lock-'));
  const mirror = join(dir, 'mirror', 'registry.terraform.io', OPENSTACK_PROVIDER_SOURCE);
  const version = OPENSTACK_PROVIDER_CONSTRAINT.replace(/^= /, '');
  beforeAll(() => {
    mkdirSync(mirror, { recursive: true });
    // A package of the right name and version that is not the registry's.
    writeFileSync(join(dir, `terraform-provider-openstack_v${version}`), '#!/bin/sh\nexit 1\n');
    const zip = spawnSync(
      'python3',
      ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], "w"); z.write(sys.argv[2], sys.argv[3]); z.close()'].concat([
        join(mirror, `terraform-provider-openstack_${version}_linux_amd64.zip`),
        join(dir, `terraform-provider-openstack_v${version}`),
        `terraform-provider-openstack_v${version}`,
      ]),
    );
    expect(zip.status).toBe(0);
    writeFileSync(
      join(dir, 'terraform.rc'),
      `provider_installation {\n  filesystem_mirror {\n    path = "${join(dir, 'mirror')}"\n  }\n}\n`,
    );
  });
  const init = (withLock: boolean) => {
    const outdir = mkdtempSync(join(dir, 'stack-'));
    const required = { openstack: { source: OPENSTACK_PROVIDER_SOURCE, version: OPENSTACK_PROVIDER_CONSTRAINT } };
    mkdirSync(join(outdir, 'stacks', 'canary'), { recursive: true });
    writeFileSync(join(outdir, 'stacks', 'canary', 'cdk.tf.json'), JSON.stringify({ terraform: { required_providers: required } }));
    if (withLock) writeProviderLocks(outdir);
    const cwd = join(outdir, 'stacks', 'canary');
    return spawnSync('terraform', ['init', '-backend=false', '-input=false', '-no-color'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, TF_CLI_CONFIG_FILE: join(dir, 'terraform.rc'), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
    });
  };

  test('a package the lock does not list is refused', () => {
    const r = init(true);
    expect(r.status).toBe(1);
    expect(r.stderr.replace(/\s+/g, ' ')).toContain("doesn't match any of the checksums previously recorded in the dependency lock file");
  });

  test('without the lock, the same package installs (the refusal is the lock)', () => {
    expect(init(false).status).toBe(0);
  });

  test('the committed file itself is a lock Terraform reads', () => {
    const stack = mkdtempSync(join(dir, 'plain-'));
    cpSync(OPENSTACK_PROVIDER_LOCK_FILE, join(stack, LOCK_FILE_NAME));
    writeFileSync(
      join(stack, 'main.tf.json'),
      JSON.stringify({
        terraform: { required_providers: { openstack: { source: OPENSTACK_PROVIDER_SOURCE, version: OPENSTACK_PROVIDER_CONSTRAINT } } },
      }),
    );
    const r = spawnSync('terraform', ['init', '-backend=false', '-input=false', '-no-color'], {
      cwd: stack,
      encoding: 'utf8',
      env: { ...process.env, TF_CLI_CONFIG_FILE: join(dir, 'terraform.rc'), CHECKPOINT_DISABLE: '1' },
    });
    // Read, not refused as malformed: the failure is the checksum's.
    expect(r.stderr).not.toMatch(/Invalid|parse|syntax/i);
    expect(r.stderr.replace(/\s+/g, ' ')).toContain("doesn't match any of the checksums");
  });
});

/**
 * Every hypervisor host's user data for the reference clone on AWS, checked by
 * the host OS's own cloud-init schema (Debian's) and shellcheck; its bucket objects
 * are the scripts and definitions the other host tests run for real.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { reviewDevicePath } from '../assets/devices';
import { FIREWALL_FILE } from '../assets/host-firewall';
import { HOST_GUESTS_SCRIPT, HOST_MANIFEST, HOST_NETWORK_SCRIPT, hostBootstrap, hostBucketKey } from '../assets/host-bootstrap';
import { guestDevicePath, guestMacs } from '../assets/libvirt';
import { nocloudMetaData } from '../assets/nocloud';
import { assetOptionsFor } from '../assets/options';
import { TERRAFORM_TEMPLATE } from '../assets/shell';
import { awsBucketFetch, userDataParts } from '../assets/user-data-limit';
import { groupOf, securityRules } from '../plan/security';
import { buildPlan } from '../plan/plan';
import { loadProfile } from '../profile/load';
import { AWS_USER_DATA_LIMIT } from '../targets/aws/facts';
import { interpreterOf, requireTool, run } from './fixtures/assets';
import { target } from './support/shapes';

jest.setTimeout(120_000);

const config = target('aws', { placement: 'hypervisors' });
const plan = buildPlan(loadProfile(), config);
if (plan.placement.kind !== 'hypervisors') throw new Error('the hypervisor placement is planned');
const hosts = plan.placement.hosts;
const macs = guestMacs(plan.nodes);
const rules = securityRules(plan, ['203.0.113.0/24']);
const guestOptions = { ...assetOptionsFor(plan, config), devicePath: guestDevicePath };
const documents = hosts.map((host) =>
  hostBootstrap({
    plan,
    host,
    network: { addresses: host.addresses, tenantPeers: hosts.filter((h) => h !== host).map((h) => h.addresses.tenant) },
    rules,
    operatorSources: ['10.42.0.0/24'],
    hostDevicePath: reviewDevicePath('aws'),
    macs,
    seed: (node) => ({
      userData: userDataParts(plan, node, guestOptions).inline,
      metaData: nocloudMetaData(plan, node, { nameservers: ['10.42.0.2'], publicKeys: [] }),
    }),
    delivery: { kind: 'bucket-fetch', fetch: awsBucketFetch('ASSETS-BUCKET', plan.region) },
    fetchPackages: ['awscli'],
    fetchImage: (os, dest) => awsBucketFetch('ASSETS-BUCKET', plan.region)(`images/${os}.qcow2`, dest),
  }),
);
const dir = mkdtempSync(join(tmpdir(), 'host-bootstrap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("cloud-init's schema accepts every host's user data, and it fits AWS's limit", async () => {
  requireTool('cloud-init');
  const files = documents.map((d, i) => {
    const file = join(dir, `${hosts[i].name}.yaml`);
    writeFileSync(file, d.inline);
    return file;
  });
  const r = await run(interpreterOf('cloud-init'), [join(__dirname, 'fixtures/cloud-init-schema.py'), ...files]);
  expect(r.code).toBe(0);
  const results = JSON.parse(r.stdout) as Record<string, { error: string | null }>;
  expect(Object.values(results).map((x) => x.error)).toEqual(files.map(() => null));
  for (const d of documents) expect(Buffer.byteLength(d.inline)).toBeLessThan(AWS_USER_DATA_LIMIT);
});

test('the fetch loop and both boot scripts pass shellcheck', async () => {
  for (const d of documents.slice(0, 3)) {
    const runcmd = parse(d.inline).runcmd as unknown[];
    const [, , fetchAll] = runcmd[0] as string[];
    const scripts = [
      `#!/bin/sh\n${fetchAll}\n`,
      ...d.bucketObjects.filter((o) => o.path === HOST_NETWORK_SCRIPT || o.path === HOST_GUESTS_SCRIPT).map((o) => o.content),
    ];
    for (const script of scripts) {
      const r = await run('sh', ['-c', `printf '%s' "$0" | shellcheck -`, script]);
      expect([r.code, r.stdout]).toEqual([0, '']);
    }
  }
});

test('every guest has its domain and seed in its host folder, each fetched once, and nothing reads as a Terraform template', () => {
  for (const [i, host] of hosts.entries()) {
    const paths = documents[i].bucketObjects.map((o) => o.path);
    for (const guest of host.guests)
      for (const file of [`domains/${guest}.xml`, `seeds/${guest}/user-data`, `seeds/${guest}/meta-data`])
        expect(paths).toContain(`/var/lib/staging/libvirt/${file}`);
    expect(new Set(paths).size).toBe(paths.length);
    for (const o of documents[i].bucketObjects) {
      expect(o.key).toBe(hostBucketKey(host, o.path));
      expect([o.key, TERRAFORM_TEMPLATE.test(o.content)]).toEqual([o.key, false]);
    }
    expect(TERRAFORM_TEMPLATE.test(documents[i].inline)).toBe(false);
    // The manifest lists every other file once, with its mode.
    const manifest = documents[i].bucketObjects.find((o) => o.path === HOST_MANIFEST)!.content;
    expect(manifest.split('\n').filter(Boolean)).toEqual(
      documents[i].bucketObjects.filter((o) => o.path !== HOST_MANIFEST).map((o) => `${o.permissions} ${o.path}`),
    );
  }
  const keys = documents.flatMap((d) => d.bucketObjects.map((o) => o.key));
  expect(new Set(keys).size).toBe(keys.length);
});

test('the seeds are the guests own node documents, seeing their volumes as virtio disks', () => {
  const storage = plan.nodes.find((n) => n.role === 'swift-storage')!;
  const host = hosts.findIndex((h) => h.guests.includes(storage.name));
  const seed = documents[host].bucketObjects.find((o) => o.path.endsWith(`seeds/${storage.name}/user-data`))!;
  expect(seed.content).toBe(userDataParts(plan, storage, guestOptions).inline);
  expect(seed.content).toContain(`vol virtio:${storage.volumes[0].name}:vdb `);
  expect(seed.permissions).toBe('0600');
});

test("every host's firewall passes nft's own check, and guards exactly its guests' groups", async () => {
  requireTool('nft');
  for (const [i, host] of hosts.entries()) {
    const ruleset = documents[i].bucketObjects.find((o) => o.path === FIREWALL_FILE)!.content;
    const file = join(dir, `${host.name}.nft`);
    writeFileSync(file, ruleset);
    const r = await run('nft', ['-c', '-f', file]);
    expect([host.name, r.code, r.stderr]).toEqual([host.name, 0, '']);
    const guarded = new Set(host.guests.map((g) => groupOf(plan.nodes.find((n) => n.name === g)!)));
    const into = new Set([...ruleset.matchAll(/ip daddr @g_(\S+) /g)].map((m) => m[1]));
    expect([...into].sort()).toEqual([...guarded].map((g) => g.replace(/-/g, '_')).sort());
  }
  // The check can fail: a rule into a set the file never defines.
  const broken = join(dir, 'broken.nft');
  writeFileSync(
    broken,
    documents[0].bucketObjects.find((o) => o.path === FIREWALL_FILE)!.content.replace('counter drop', 'ip daddr @g_nowhere accept'),
  );
  expect((await run('nft', ['-c', '-f', broken])).code).not.toBe(0);
});

/**
 * The regression checks of runbook/regressions.ts, run as the rehearsal runs them
 * (bash, the real checks command) against a stand-in `openstack` that answers as
 * python-openstackclient's `-f json` does: `show` a dict of fields, `list` rows
 * with a `Name` column.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { multibyteNamesStep, shelveStep } from '../runbook/regressions';
import { DEFAULT_OPTIONS } from '../runbook/types';
import { PLANS } from './support/runbook';

const ROOT = join(__dirname, '..');
const plan = PLANS.reference();

/** A rehearsal context whose work folder holds the edge's and the seeded canary's outputs. */
function context() {
  const dir = mkdtempSync(join(tmpdir(), 'regressions-'));
  const workDir = join(dir, 'work');
  spawnSync('mkdir', ['-p', workDir, join(dir, 'bin')]);
  writeFileSync(join(workDir, 'edge.json'), JSON.stringify({ edge: { endpoint: '127.0.0.1' } }));
  const servers = Object.fromEntries(plan.canary.servers.map((s, i) => [s.name, { id: `id-${i}`, cell: s.cell }]));
  writeFileSync(join(workDir, 'canary-seed.json'), JSON.stringify({ canary: { inventory: { servers } } }));
  // The secrets script, as far as `--print` goes: the canary user's password.
  spawnSync('mkdir', ['-p', join(workDir, 'assets', 'secrets')]);
  writeFileSync(
    join(workDir, 'assets', 'secrets', 'create-secrets.sh'),
    '[ "$1 $2" = "--print CANARY_USER_PASSWORD" ] && echo canary-pw\n',
  );
  const ctx = { plan, options: { ...DEFAULT_OPTIONS, workDir, logIgnoreFile: 'log-ignore.txt', packageArchives: {} } };
  return { dir, ctx, bin: join(dir, 'bin') };
}

/** Installs a python stand-in for `openstack` in `bin`; `body` handles `args` (after the cloud and auth options). */
function standIn(bin: string, body: string): void {
  const script = [
    '#!/usr/bin/env python3',
    'import json, os, sys',
    'args = sys.argv[1:]',
    // Who asked: the admin's clouds.yaml entry, or the canary user in a project (and with which password).
    'opts = dict(zip(args[0::2], args[1::2]))',
    "who = opts.get('--os-cloud') or '%s@%s:%s' % (opts.get('--os-username'), opts.get('--os-project-name'), os.environ.get('OS_PASSWORD'))",
    "while args and args[0].startswith('--os-'): args = args[2:]",
    "open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'calls'), 'a').write('%s %s\\n' % (who, ' '.join(args[:2])))",
    "state = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'state')",
    body,
  ].join('\n');
  writeFileSync(join(bin, 'openstack'), script);
  chmodSync(join(bin, 'openstack'), 0o755);
  // The step's waits sleep 10 s between polls: not in a test.
  writeFileSync(join(bin, 'sleep'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(bin, 'sleep'), 0o755);
}

const run = (bin: string, command: string) =>
  spawnSync('bash', ['-c', `set -euo pipefail\n${command}`], {
    cwd: ROOT,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, LC_ALL: 'C' },
    encoding: 'utf8',
  });

describe('multibyte names', () => {
  const names = plan.canary.multibyte;
  /** Shows and lists what it is asked for; `mangle` does to one kind what a broken release does to its name. */
  const cloud = (mangle = '') => `
kind, verb = args[0], args[1]
rest = [a for a in args[2:] if a not in ('-f', 'json', '--all-projects')]
def name_of(n):
    return ${mangle ? `n.encode('utf-8').decode('latin-1') if kind == '${mangle}' else n` : 'n'}
made = ${JSON.stringify({ ...names })}
key = {'project': 'project', 'network': 'network', 'server': 'server', 'image': 'image', 'object': 'object'}[kind]
if verb == 'show':
    if kind == 'object':
        print(json.dumps({'container': rest[0], 'object': name_of(rest[1]), 'etag': 'e'}))
    else:
        print(json.dumps({'id': 'x', 'name': name_of(rest[0])}))
else:
    print(json.dumps([{'ID': 'a', 'Name': 'canary-a'}, {'ID': 'x', 'Name': name_of(made[key])}]))
`;

  it('the names survive the quoting of the step and come back byte for byte', () => {
    const { ctx, bin } = context();
    const step = multibyteNamesStep(ctx, 'verify-upgrade-1');
    expect(step.commands[0]).toContain(`'${names.server}'`);
    standIn(bin, cloud());
    const r = run(bin, step.commands[0]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('every multibyte name is shown and listed as made');
    // Projects as the admin; everything else as the Japanese-named project's tenant sees it.
    const tenant = `canary-user@${names.project}:canary-pw`;
    expect(readFileSync(join(bin, 'calls'), 'utf8').trim().split('\n')).toEqual([
      'staging-inside project show',
      'staging-inside project list',
      ...['network', 'server', 'image', 'object'].flatMap((kind) => [`${tenant} ${kind} show`, `${tenant} ${kind} list`]),
    ]);
  });

  it.each(['project', 'server', 'object'])('fails when the %s name comes back mangled', (kind) => {
    const { ctx, bin } = context();
    standIn(bin, cloud(kind));
    const r = run(bin, multibyteNamesStep(ctx, 'verify-rollback').commands[0]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`names: ${kind} `);
    expect(r.stdout).toContain('2 name problem(s)');
  });
});

describe('shelve and unshelve', () => {
  /** A server that goes SHELVED_OFFLOADED, then ACTIVE; `leftover` images stay in Glance after the unshelve. */
  const cloud = (leftover: number, endState = 'ACTIVE') => `
st = json.load(open(state)) if os.path.exists(state) else {'status': 'ACTIVE', 'images': 0}
if args[:2] == ['server', 'shelve']:
    st = {'status': 'SHELVED_OFFLOADED', 'images': 1}
elif args[:2] == ['server', 'unshelve']:
    st = {'status': '${endState}', 'images': ${leftover}}
elif args[:2] == ['server', 'show']:
    print(st['status'])
elif args[:2] == ['image', 'list']:
    name = args[args.index('--name') + 1]
    print(json.dumps([{'ID': 'img-%d' % i, 'Name': name, 'Status': 'active'} for i in range(st['images'])]))
json.dump(st, open(state, 'w'))
`;
  const cells = plan.cells.filter((c) => c.type === 'compute');

  it('passes with one shelved image during the shelve and none after, in every child cell', () => {
    const { ctx, bin } = context();
    standIn(bin, cloud(0));
    const step = shelveStep(ctx, 'verify-upgrade-2');
    expect(step.commands).toHaveLength(cells.length);
    expect(new Set(step.commands).size).toBe(cells.length);
    for (const command of [step.commands[0], step.commands[cells.length - 1]]) {
      const r = run(bin, command);
      expect([r.status, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toMatch(/-shelved|one shelved image, none after/);
    }
  });

  it('fails when the unshelve leaves an image behind', () => {
    const { ctx, bin } = context();
    standIn(bin, cloud(2));
    const r = run(bin, shelveStep(ctx, 'verify-upgrade-1').commands[0]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('2 shelved image(s) left after the unshelve');
  });

  it('fails when the server ends in ERROR, and says so', () => {
    const { ctx, bin } = context();
    standIn(bin, cloud(0, 'ERROR'));
    const r = run(bin, shelveStep(ctx, 'verify-upgrade-1').commands[0]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/server id-\d+: ERROR/);
  });
});

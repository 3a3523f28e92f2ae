/**
 * Every generated shell script passes the real shellcheck: ring builders, cell
 * linking, and each node's configuration hand-off (carried in its user data).
 * The cell linking scripts are run (printing, not calling nova-manage) to check
 * that each side registers every child cell at its own broker, and the parent.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { HANDOFF_SCRIPT } from '../assets/handoff';
import type { Side } from '../plan/types';
import { pooled, PROFILE_NAMES, rendered, requireTool, run, writeTree, type ProfileName } from './fixtures/assets';
import { createCommand } from '../assets/cells';

jest.setTimeout(120_000);

interface Script {
  readonly name: string;
  readonly content: string;
}

/** Ring, cells and secrets scripts, and every script a node's user data writes (hand-off, log check, dummy broker), of one profile. */
function scriptsOf(profile: ProfileName): Script[] {
  const r = rendered(profile);
  const standalone = r.assets.filter((a) => a.path.endsWith('.sh')).map((a) => ({ name: `${profile}/${a.path}`, content: a.content }));
  const handoffs = r.assets
    .filter((a) => a.path.startsWith('nodes/'))
    .flatMap((a) =>
      (parse(a.content).write_files ?? [])
        .filter((f: any) => f.content.startsWith('#!/bin/bash'))
        .map((f: any) => ({ name: `${profile}/${a.path}:${f.path}`, content: f.content })),
    );
  return [...standalone, ...handoffs];
}

test('shellcheck passes every generated script of both profiles', async () => {
  requireTool('shellcheck');
  const scripts = PROFILE_NAMES.flatMap(scriptsOf);
  const withHandoff = new Set(scripts.filter((s) => s.name.includes(HANDOFF_SCRIPT)).map((s) => s.name.split('/')[0]));
  expect(withHandoff).toEqual(new Set(PROFILE_NAMES));
  const dir = writeTree(
    scripts.map((s, i) => ({ path: `s${i}.sh`, content: s.content, mode: 0o755 })),
    'shellcheck-',
  );
  // One shellcheck per core, each over a share of the files.
  const shares = Math.max(2, cpus().length);
  const files = scripts.map((_, i) => join(dir, `s${i}.sh`));
  const results = await pooled(
    Array.from({ length: shares }, (_, k) => () => run('shellcheck', ['--shell=bash', ...files.filter((_, i) => i % shares === k)])),
    shares,
  );
  const findings = results.map((r) => r.stdout).join('');
  // Name the scripts behind the temporary file names ("In FILE line N:").
  const named = scripts.reduce((text, s, i) => text.split(`${files[i]} `).join(`${s.name} `), findings);
  expect({ codes: results.map((r) => r.code), findings: named }).toEqual({ codes: results.map(() => 0), findings: '' });
});

test('shellcheck fails a script with a known problem (the check can fail)', async () => {
  requireTool('shellcheck');
  const dir = writeTree(
    [{ path: 'bad.sh', content: '#!/bin/bash\nset -euo pipefail\nfor f in $(ls /srv/node); do rm $f; done\n', mode: 0o755 }],
    'shellcheck-bad-',
  );
  const result = await run('shellcheck', [join(dir, 'bad.sh')]);
  expect(result.code).not.toBe(0);
  expect(result.stdout).toMatch(/SC2045|SC2086/);
});

/** Runs a side's linking script for one cell with --print; the nova-manage lines it would run. */
async function linkLines(profile: ProfileName, side: Side, cell: string): Promise<string[]> {
  const dir = writeTree(
    rendered(profile).assets.filter((a) => a.path === `cells/${side}-link-cells.sh`),
    'cells-',
  );
  const result = await run('bash', [join(dir, `cells/${side}-link-cells.sh`), '--print', cell]);
  expect([result.code, result.stderr]).toEqual([0, '']);
  return result.stdout.trim().split('\n');
}

const brokerOf = (profile: ProfileName, cell: string, side: Side): string => {
  const { plan } = rendered(profile);
  const mq = plan.cells.find((c) => c.name === cell)!.rabbitmq[side][0];
  return plan.nodes.find((n) => n.name === mq)!.addresses.management!;
};

describe.each(PROFILE_NAMES)('cells linking of %s', (profile) => {
  const { plan } = rendered(profile);
  const api = plan.cells.find((c) => c.type === 'api')!.name;
  const children = plan.cells.filter((c) => c.type === 'compute').map((c) => c.name);

  test.each(['old', 'new'] as const)('the %s side registers every child cell at its broker, in the API cell', async (side) => {
    const lines = await linkLines(profile, side, api);
    expect(lines).toEqual(
      children.map(
        (child) =>
          `nova-manage cell create --name=${child} --cell_type=child --username=nova --password={{RABBIT_PASSWORD}} --hostname=${brokerOf(profile, child, side)} --port=5672 --virtual_host=/ --woffset=1.0 --wscale=1.0`,
      ),
    );
    // Each side's brokers are its own: rollback needs the old side untouched.
    const other = side === 'old' ? 'new' : 'old';
    for (const child of children) expect(lines.join('\n')).not.toContain(`--hostname=${brokerOf(profile, child, other)} `);
  });

  test.each(['old', 'new'] as const)('on the %s side each child cell registers the API cell as its parent', async (side) => {
    for (const child of children) {
      expect(await linkLines(profile, side, child)).toEqual([
        `nova-manage cell create --name=${api} --cell_type=parent --username=nova --password={{RABBIT_PASSWORD}} --hostname=${brokerOf(profile, api, side)} --port=5672 --virtual_host=/ --woffset=1.0 --wscale=1.0`,
      ]);
    }
  });

  test('an unknown cell is refused with the usage', async () => {
    const dir = writeTree(
      rendered(profile).assets.filter((a) => a.path === 'cells/old-link-cells.sh'),
      'cells-',
    );
    const result = await run('bash', [join(dir, 'cells/old-link-cells.sh'), '--print', 'no-such-cell']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^usage: /);
  });
});

test('the cells_config files say the same as the scripts, one file per cell and side', () => {
  for (const profile of PROFILE_NAMES) {
    const r = rendered(profile);
    for (const side of ['old', 'new'] as const) {
      for (const cell of r.plan.cells) {
        const config = JSON.parse(r.assets.find((a) => a.path === `cells/${side}-${cell.name}-cells.json`)!.content);
        const expected =
          cell.type === 'api'
            ? r.plan.cells.filter((c) => c.type === 'compute').map((c) => c.name)
            : [r.plan.cells.find((c) => c.type === 'api')!.name];
        expect(Object.keys(config)).toEqual(expected);
        for (const [name, entry] of Object.entries<any>(config)) {
          expect(entry.name).toBe(name);
          expect(entry.is_parent).toBe(cell.type !== 'api');
          expect(entry.transport_url).toBe(`rabbit://nova:{{RABBIT_PASSWORD}}@${brokerOf(profile, name, side)}:5672/`);
          expect([entry.weight_offset, entry.weight_scale]).toEqual([1, 1]);
        }
      }
    }
  }
});

test('cells are linked with every broker of the cell from Kilo on (--broker_hosts), with the one of Icehouse before', () => {
  const link = { in: 'api', name: 'cell01', type: 'child' as const, brokers: ['10.0.0.5', '10.0.0.6'] };
  expect(createCommand(link, 'liberty')).toContain('--broker_hosts=10.0.0.5:5672,10.0.0.6:5672');
  expect(createCommand(link, 'liberty')).not.toContain('--hostname');
  expect(createCommand(link, 'icehouse')).toContain('--hostname=10.0.0.5 --port=5672');
  expect(createCommand({ ...link, brokers: ['10.0.0.5'] }, 'liberty')).toContain('--hostname=10.0.0.5 --port=5672');
});

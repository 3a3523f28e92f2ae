/**
 * The rehearsal report (report/): what it shows of the reference plan, of the
 * two sample rehearsals (__tests__/fixtures/rehearsals, made by make.ts there
 * with the runbook's own runner), that its SVG figures are XML, that no value
 * can break out of the page, and that bad input is refused by `npm run report`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfile, REFERENCE_PROFILE } from '../profile/load';
import { buildPlan, oneToOneCost } from '../plan/plan';
import { chartOf, tickStep } from '../report/chart';
import { reportModel } from '../report/model';
import { priceList } from '../targets/facts';
import { loadRehearsal } from '../report/rehearsal-log';
import { renderReport } from '../report/render';
import { transferLines } from '../report/transfer';
import { resultLine } from '../runbook/checks';
import { PHASES } from '../runbook/types';
import { defaultTargetFile, loadTarget } from '../targets/config';
import { target as targetOf } from './support/shapes';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..');
const FIXTURES = join(__dirname, 'fixtures', 'rehearsals');
const profile = loadProfile(REFERENCE_PROFILE);
const target = loadTarget(defaultTargetFile('aws'));
const plan = buildPlan(profile, target);
const oneToOne = oneToOneCost(profile, target);
const prices = priceList(target);
const samples = () => [
  loadRehearsal(join(FIXTURES, 'rehearsal-1'), 'rehearsal 1'),
  loadRehearsal(join(FIXTURES, 'rehearsal-2'), 'rehearsal 2'),
];
const scratch = mkdtempSync(join(tmpdir(), 'staging-report-'));

/** Parses with libxml2 (Debian's xmllint): no output and exit 0 for well-formed XML. */
function xmlProblems(text: string, name: string): string {
  const file = join(scratch, name);
  writeFileSync(file, text);
  const r = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
  if (r.error) throw new Error(`xmllint is needed (Debian's libxml2-utils): ${r.error.message}`);
  return `${r.status}${r.stderr}`;
}

describe('the report of the reference plan, no rehearsal given', () => {
  const model = reportModel({ plan, profile, oneToOne, prices, rehearsals: [] });
  const out = renderReport(model, plan);

  test('shows every cell, both sides, the ring parameters and the cost ratio, in the page and in markdown', () => {
    expect(model.cost.ratio).toBeCloseTo(oneToOne.perHour / plan.cost.perHour, 1);
    expect(model.cost.ratio).toBeGreaterThan(1);
    for (const text of [out['index.html'], out['report.md']]) {
      for (const cell of plan.cells) expect(text).toContain(cell.name);
      for (const node of plan.cells.flatMap((c) => [...c.database.old, ...c.database.new])) expect(text).toContain(node);
      expect(text).toContain(`${model.cost.ratio} x`);
      expect(text).toContain(oneToOne.perHour.toFixed(2));
      expect(text).toContain(plan.cost.source);
    }
    expect(out['report.md']).toContain(
      `| ${plan.swift.partPower} | ${plan.swift.replicas} | ${plan.swift.minPartHours} | r1: z1 8 -> 1, z2 8 -> 1, z3 8 -> 1 | 10 -> 2 | 4000 -> 20 |`,
    );
    expect(out['topology.svg']).toContain('old side: icehouse (active)');
    expect(out['topology.svg']).toContain('new side: liberty');
  });

  test('the topology draws every cell per side, every Swift zone, the compute nodes per cell, the toolbox and monitoring', () => {
    const svg = out['topology.svg'];
    for (const side of ['old', 'new']) {
      for (const cell of plan.cells) expect(svg).toContain(`database: ${cell.database[side as 'old' | 'new'][0]}`);
      for (const n of plan.nodes.filter((x) => x.role === 'swift-storage' && x.side === side)) expect(svg).toContain(n.name);
    }
    for (const cell of plan.cells.filter((c) => c.type === 'compute'))
      expect(svg).toMatch(new RegExp(`${cell.name}: compute-${cell.name}-1 … `));
    expect(svg).toMatch(/migration toolbox: shared-migration-toolbox-1|migration toolbox: \S+/);
    expect(svg).toContain('monitoring: ');
    expect(svg).toMatch(/class="link active"/);
  });

  test('without a rehearsal the cost per rehearsal is an estimate, said so, with its basis', () => {
    expect(model.cost.rehearsals).toEqual([expect.objectContaining({ measured: false, label: 'one rehearsal' })]);
    // Every phase of the runbook, in its order.
    expect(model.cost.estimate?.map((p) => p.label)).toEqual([...PHASES]);
    expect(out['report.md']).toContain('one rehearsal (estimate)');
    expect(out['index.html']).toContain('<span class="estimate">estimate</span>');
    expect(out['timings.svg']).toBeUndefined();
  });

  test('the page is one file: no script, no link, nothing fetched; its SVG figures are XML', () => {
    expect(out['index.html']).not.toMatch(/<script|<link|<img|src=|@import|url\(/i);
    expect(out['index.html']).toContain("default-src 'none'");
    expect(xmlProblems(out['topology.svg'], 'topology.svg')).toBe('0');
  });

  test('the output is the same on every run', () => {
    expect(renderReport(reportModel({ plan, profile, oneToOne, prices, rehearsals: [] }), plan)).toEqual(out);
  });
});

describe('the report of two sample rehearsals', () => {
  const rehearsals = samples();
  const model = reportModel({ plan, profile, oneToOne, prices, rehearsals });
  const out = renderReport(model, plan);

  test('the chart has one bar pair per step, labelled with the step', () => {
    const ids = new Set(rehearsals.flatMap((r) => r.report.steps.map((s) => s.id)));
    expect(ids.size).toBeGreaterThan(100);
    expect(model.chart.map((r) => r.id).sort()).toEqual([...ids].sort());
    const svg = out['timings.svg']!;
    for (const id of ids) {
      for (const label of ['rehearsal 1', 'rehearsal 2']) expect(svg).toContain(`<title>${id}, ${label}: `);
    }
    expect(svg.match(/<title>/g)).toHaveLength(2 * ids.size);
    expect(xmlProblems(svg, 'timings.svg')).toBe('0');
  });

  test('a failed step is outlined, steps that did not run are labelled', () => {
    const svg = out['timings.svg']!;
    expect(svg).toMatch(/class="bar r1 failed"[^>]*><title>verify-upgrade-2\.nova-services, rehearsal 2: /);
    for (const id of ['verify-upgrade-2.collect-logs', 'verify-upgrade-2.log-ignore', 'teardown.destroy']) {
      expect(svg).toContain(`not run<title>${id}, rehearsal 2: not run</title>`);
    }
    expect(out['report.md']).toContain('- `verify-upgrade-2.nova-services` (failed, exit 1)');
    expect(out['report.md']).toContain('- `teardown.destroy` (not run)');
  });

  test('the downtime windows, database hops per cell, Swift copies and switches come from the steps’ times', () => {
    const [first] = model.rehearsals;
    const steps = new Map(rehearsals[0].report.steps.map((s) => [s.id, s]));
    const downtime = first.windows.find((w) => w.from === 'upgrade-1.close-api')!;
    expect(downtime.seconds).toBe(
      (Date.parse(steps.get('upgrade-1.cut-over')!.end!) - Date.parse(steps.get('upgrade-1.close-api')!.start!)) / 1000,
    );
    const hops = first.databases.find((d) => d.round === 'upgrade-1')!;
    expect(hops.columns).toEqual(['restore', 'sync-kilo', 'flavor-data', 'sync-liberty']);
    expect(hops.rows.map((r) => r.key)).toEqual([
      'keystone',
      'glance',
      'neutron',
      'nova-api',
      'nova-cell01',
      'nova-cell02',
      'nova-cell03',
      'nova-cell04',
    ]);
    expect(hops.rows.find((r) => r.key === 'nova-cell02')!.seconds).toBe(
      ['restore', 'sync-kilo', 'flavor-data', 'sync-liberty'].reduce((s, a) => s + steps.get(`upgrade-1.${a}.nova-cell02`)!.seconds, 0),
    );
    expect(first.swift).toEqual([
      {
        round: 'upgrade-1',
        initial: steps.get('upgrade-1.swift-copy-initial')!.seconds,
        delta: steps.get('upgrade-1.swift-copy-delta')!.seconds,
        parity: 'equal',
      },
      expect.objectContaining({ round: 'upgrade-2', parity: 'equal' }),
    ]);
    expect(first.windows.map((w) => w.name)).toEqual(
      expect.arrayContaining(['upgrade-1: cut-over (edge switch)', 'rollback: edge switch']),
    );
  });

  test('the checks of both rehearsals side by side: canary, Swift parity, log drift, services', () => {
    const row = (phase: string, check: string) => out['report.md'].split('\n').find((l) => l.startsWith(`| ${phase} | ${check} |`));
    expect(row('upgrade-1', 'Swift parity')).toMatch(/\| ok: 3 pair\(s\) equal, 3606 object file\(s\) \| ok: 3 pair\(s\) equal/);
    expect(row('verify-rollback', 'canary survival')).toBe(
      '| verify-rollback | canary survival | ok: every canary survived | ok: every canary survived |',
    );
    expect(row('verify-upgrade-1', 'log-pattern drift')).toContain(
      '1 pattern(s) no longer match; 2 new line shape(s) nothing ignores (252 line(s)); busiest hour: 180 line(s) reach the monitoring (compute-cell01-1, nova)',
    );
    expect(row('verify-upgrade-2', 'Nova services up')).toMatch(
      /\| ok: no dead service in any cell \| failed: a service is down or the check failed \(exit 1\)/,
    );
    expect(row('verify-upgrade-2', 'log-pattern drift')).toMatch(/\| not run: no result recorded \|$/);
    expect(row('verify-upgrade-1', 'Horizon login and project switch')).toBe(
      '| verify-upgrade-1 | Horizon login and project switch | ok: logged in, switched to every canary project | ok: logged in, switched to every canary project |',
    );
    expect(row('verify-rollback', 'multibyte names')).toContain('ok: every Japanese name shows and lists as made');
    expect(row('verify-upgrade-1', 'shelve and unshelve')).toContain('ok: one shelved image per server, none after');
    expect(row('verify-rollback', 'Tempest smoke tests')).toContain('ok: Tempest 5: 131 passed, 0 failed, 6 skipped');
  });

  test('measured rehearsals are priced from their wall clock, against the one-to-one clone', () => {
    expect(model.cost.estimate).toBeUndefined();
    for (const [i, r] of model.cost.rehearsals.entries()) {
      expect(r.measured).toBe(true);
      expect(r.hours).toBeCloseTo(model.rehearsals[i].wallClockSeconds! / 3600, 2);
      const hours = model.rehearsals[i].wallClockSeconds! / 3600;
      expect(r.staging).toBeCloseTo(hours * plan.cost.perHour, 1);
      expect(r.oneToOne).toBeCloseTo(hours * oneToOne.perHour, 1);
    }
  });

  test('a value from a log cannot break the page or a markdown table', () => {
    const dir = join(scratch, 'hostile');
    cpSync(join(FIXTURES, 'rehearsal-1'), dir, { recursive: true });
    const log = join(dir, 'logs', 'verify-upgrade-1.log-ignore.1.log');
    writeFileSync(
      log,
      resultLine({
        check: 'log-ignore',
        stoppedMatching: ['a|b'],
        neverMatched: 0,
        newUnmatched: [{ shape: '</td><script>alert(1)</script> | x', count: 1 }],
      }),
    );
    const hostile = renderReport(reportModel({ plan, profile, oneToOne, prices, rehearsals: [loadRehearsal(dir, 'rehearsal 1')] }), plan);
    expect(hostile['index.html']).not.toContain('<script>');
    expect(hostile['index.html']).toContain('&lt;/td&gt;&lt;script&gt;');
    const row = hostile['report.md'].split('\n').find((l) => l.startsWith('| verify-upgrade-1 | log-pattern drift |'))!;
    expect(row.split(/(?<!\\)\|/)).toHaveLength(5);
  });
});

test('round ticks in seconds, minutes and hours', () => {
  expect([tickStep(40), tickStep(500), tickStep(2640), tickStep(30000)]).toEqual([10, 120, 600, 7200]);
  const chart = chartOf([{ id: 'a', phase: 'deploy', bars: [{ label: 'rehearsal 1', seconds: 2640, status: 'ok' }] }]);
  expect(chart.ticks.map((t) => t.label)).toEqual(['0 s', '10 min', '20 min', '30 min', '40 min', '50 min']);
});

describe('npm run report', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['-r', './bin/register.js', 'bin/report.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

  test('writes the page, the markdown and the figures', () => {
    const out = join(scratch, 'written');
    const r = run(['--rehearsal', join(FIXTURES, 'rehearsal-1'), join(FIXTURES, 'rehearsal-2'), '--out', out]);
    expect([r.status, r.stderr]).toEqual([0, expect.stringContaining('# portal-reference-aws: ')]);
    expect(readdirSync(out).sort()).toEqual(['index.html', 'report.md', 'timings.svg', 'topology.svg']);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('### rehearsal 2: portal-reference-aws (execute)');
  });

  test.each<[string, (dir: string) => string[], RegExp]>([
    ['no --out', () => [], /^error: command line: --out: is required/],
    ['a folder without report.json', (d) => ['--rehearsal', d, '--out', join(d, 'out')], /: --rehearsal: holds no report\.json/],
    [
      'a report.json that is not JSON',
      (d) => (writeFileSync(join(d, 'report.json'), '{ "steps": ['), ['--rehearsal', d, '--out', join(d, 'out')]),
      /report\.json: \(top level\): is not JSON/,
    ],
    [
      'a step of an unknown phase',
      (d) => (
        writeFileSync(
          join(d, 'report.json'),
          JSON.stringify({ rehearsalId: 'x', steps: [{ id: 'a', phase: 'upgrade-3', status: 'ok', seconds: 1 }] }),
        ),
        ['--rehearsal', d, '--out', join(d, 'out')]
      ),
      /report\.json: steps\[0\]: step a: phase 'upgrade-3' is not a phase/,
    ],
    [
      'a screenshot that is not a PNG',
      (d) => ['--out', join(d, 'out'), '--screenshot', 'shot.jpg'],
      /--screenshot: 'shot.jpg' must name a \.png file/,
    ],
  ])('%s: exit 2, one message, nothing written', (_name, args, message) => {
    const d = mkdtempSync(join(scratch, 'bad-'));
    const r = run(args(d));
    expect([r.status, r.stderr]).toEqual([2, expect.stringMatching(message)]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(d, 'out'))).toBe(false);
  });
});

describe('data transfer per rehearsal (report/transfer.ts)', () => {
  test('on AWS: package downloads through the NAT gateway; dumps and Swift copies cross no zone when their nodes share one', () => {
    const lines = transferLines(plan, profile, prices);
    const built = plan.nodes.length + plan.nodes.filter((n) => n.side === 'new').length;
    expect(lines[0]).toEqual({
      item: expect.stringContaining(`${built} node builds`),
      gib: built,
      perGiB: 0.045,
      cost: Number((built * 0.045).toFixed(2)),
    });
    const zoneOf = (role: string) => new Set(plan.nodes.filter((n) => n.role === role).map((n) => n.zone));
    expect([...zoneOf('cell-database'), ...zoneOf('database')].every((z) => zoneOf('migration-toolbox').has(z))).toBe(true);
    expect(lines.find((l) => l.item.startsWith('dumps and restores'))).toMatchObject({ gib: 0, perGiB: 0.02 });
    expect(lines.some((l) => l.item.includes("operator's machine"))).toBe(false);
  });

  test("on OpenStack: the dumps the operator carries leave the cloud, priced by the target config's egress price", () => {
    const config = targetOf('openstack', { transferPrices: { interZonePerGiB: 0, egressPerGiB: 0.05 } });
    const osPlan = buildPlan(profile, config);
    const carried = transferLines(osPlan, profile, priceList(config)).find((l) => l.item.includes("operator's machine"))!;
    const db =
      osPlan.cells.reduce((s, c) => s + c.dbSizeGiB, 0) +
      profile.glance.dbSizeGiB +
      profile.databases.keystoneSizeGiB +
      profile.databases.neutronSizeGiB;
    expect(carried).toMatchObject({ gib: 2 * db, perGiB: 0.05, cost: Number((2 * db * 0.05).toFixed(2)) });
  });
});

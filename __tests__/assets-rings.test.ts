/**
 * The generated ring scripts, executed with the real swift-ring-builder (Debian's
 * `swift`), locally (no distribution), for both sides of two production shapes.
 * The rings must keep production's part power, replicas, min_part_hours, regions
 * and zones, with balance at most 1 and dispersion 0.
 */
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RINGS } from '../assets/rings';
import { asset, interpreterOf, pooled, PROFILE_NAMES, rendered, requireTool, run, type ProfileName, type Run } from './fixtures/assets';

jest.setTimeout(240_000);

const REPORT = join(__dirname, 'fixtures/ring-report.py');
const PORTS = { account: 6002, container: 6001, object: 6000 } as const;
const SIDES = ['old', 'new'] as const;

interface Built {
  readonly profile: ProfileName;
  readonly side: (typeof SIDES)[number];
  readonly dir: string;
  readonly script: Run;
  /** `swift-ring-builder <ring>.builder` output per ring. */
  readonly shown: Record<string, Run>;
  /** What Swift's RingBuilder and RingData read back. */
  readonly report: Record<string, any>;
}

const builds: Built[] = [];
const started = Date.now();
let seconds = 0;

async function build(profile: ProfileName, side: (typeof SIDES)[number]): Promise<Built> {
  const dir = mkdtempSync(join(tmpdir(), `rings-${profile}-${side}-`));
  const scriptFile = join(dir, 'build-rings.sh');
  writeFileSync(scriptFile, asset(rendered(profile), `rings/${side}-build-rings.sh`), { mode: 0o755 });
  const ringDir = join(dir, 'rings');
  const script = await run('bash', [scriptFile, '--dir', ringDir]);
  const shown: Record<string, Run> = {};
  for (const ring of RINGS) shown[ring] = await run('swift-ring-builder', [join(ringDir, `${ring}.builder`)]);
  const reportRun = await run(interpreterOf('swift-ring-builder'), [REPORT, ...RINGS.map((r) => join(ringDir, r))]);
  if (reportRun.code !== 0) throw new Error(reportRun.stderr);
  return { profile, side, dir: ringDir, script, shown, report: JSON.parse(reportRun.stdout) };
}

beforeAll(async () => {
  requireTool('swift-ring-builder');
  // Every side of the two-regions shape and the old side of the reference run for real; the reference's
  // new side (part power 16: about 15 s of rebalancing) is checked below to be the same script on its own devices.
  const jobs = PROFILE_NAMES.flatMap((profile) =>
    SIDES.filter((side) => profile !== 'reference' || side === 'old').map((side) => () => build(profile, side)),
  );
  builds.push(...(await pooled(jobs, Math.max(2, cpus().length))));
  seconds = (Date.now() - started) / 1000;
});

/** The summary line swift-ring-builder prints for a builder. */
function summary(out: string) {
  const m = /(\d+) partitions, ([\d.]+) replicas, (\d+) regions, (\d+) zones, (\d+) devices, ([\d.]+) balance, ([\d.]+) dispersion/.exec(
    out,
  );
  if (!m) throw new Error(`no summary line in:\n${out}`);
  const [partitions, replicas, regions, zones, devices, balance, dispersion] = m.slice(1).map(Number);
  return { partitions, replicas, regions, zones, devices, balance, dispersion };
}

test('every ring script runs to completion locally and writes three builders and three rings', () => {
  expect(builds.map((b) => `${b.profile}/${b.side}`)).toEqual(['reference/old', 'two-regions/old', 'two-regions/new']);
  for (const b of builds) {
    expect([b.profile, b.side, b.script.code, b.script.stderr]).toEqual([b.profile, b.side, 0, '']);
    for (const ring of RINGS) {
      expect(existsSync(join(b.dir, `${ring}.builder`))).toBe(true);
      expect(existsSync(join(b.dir, `${ring}.ring.gz`))).toBe(true);
    }
  }
  // Recorded for the report: the rebalances of part power 16 dominate.
  console.log(`ring scripts of ${builds.length} sides built and read back in ${seconds.toFixed(1)} s`);
});

test("swift-ring-builder reports production's partitions, replicas, regions and zones, balance <= 1 and dispersion 0", () => {
  for (const b of builds) {
    const { profile, plan } = rendered(b.profile);
    const zones = profile.swift.regions.reduce((n, r) => n + r.zones.length, 0);
    const devices = plan.nodes
      .filter((n) => n.role === 'swift-storage' && n.side === b.side)
      .reduce((n, node) => n + node.volumes.filter((v) => v.purpose === 'swift-device').length, 0);
    for (const ring of RINGS) {
      expect(b.shown[ring].code).toBe(0);
      const s = summary(b.shown[ring].stdout);
      expect({ where: `${b.profile} ${b.side} ${ring}`, ...s, balanceOk: s.balance <= 1 }).toEqual({
        where: `${b.profile} ${b.side} ${ring}`,
        partitions: 2 ** profile.swift.partPower,
        replicas: profile.swift.replicas,
        regions: profile.swift.regions.length,
        zones,
        devices,
        balance: s.balance,
        dispersion: 0,
        balanceOk: true,
      });
    }
  }
});

test('builders and ring files read back by Swift hold the production layout on the staging devices', () => {
  for (const b of builds) {
    const { profile, plan } = rendered(b.profile);
    const storage = plan.nodes.filter((n) => n.role === 'swift-storage' && n.side === b.side);
    const expectedDevs = storage
      .flatMap((n) =>
        n.volumes
          .filter((v) => v.purpose === 'swift-device')
          .map((v) => `r${n.swiftZone!.region}z${n.swiftZone!.zone}-${n.addresses.storage}/${v.name}@${v.sizeGiB}`),
      )
      .sort();
    const layout = profile.swift.regions.flatMap((r) => r.zones.map((z) => `r${r.id}z${z.id}`)).sort();
    for (const ring of RINGS) {
      const r = b.report[join(b.dir, ring)];
      expect([r.part_power, r.replicas, r.min_part_hours, r.parts]).toEqual([
        profile.swift.partPower,
        profile.swift.replicas,
        profile.swift.minPartHours,
        2 ** profile.swift.partPower,
      ]);
      expect([r.ring_partitions, r.ring_replicas]).toEqual([2 ** profile.swift.partPower, profile.swift.replicas]);
      expect(r.balance).toBeLessThanOrEqual(1);
      expect(r.dispersion).toBe(0);
      expect(new Set(r.devs.map((d: any) => d.port))).toEqual(new Set([PORTS[ring]]));
      expect(r.devs.map((d: any) => `r${d.region}z${d.zone}-${d.ip}/${d.device}@${d.weight}`).sort()).toEqual(expectedDevs);
      expect([...new Set(r.devs.map((d: any) => `r${d.region}z${d.zone}`))].sort()).toEqual(layout);
    }
  }
});

test("the reference's new-side script is the old-side one with the new side's nodes and devices", () => {
  const r = rendered('reference');
  const byName = new Map(r.plan.nodes.map((n) => [n.name, n]));
  const swap = new Map<string, string>();
  for (const node of r.plan.nodes.filter((n) => n.side === 'old' && (n.role === 'swift-storage' || n.role === 'swift-proxy'))) {
    const twin = byName.get(node.name.replace(/^old-/, 'new-'))!;
    for (const [network, address] of Object.entries(node.addresses))
      swap.set(address!, twin.addresses[network as keyof typeof twin.addresses]!);
  }
  expect(swap.size).toBeGreaterThan(3);
  const expected = asset(r, 'rings/old-build-rings.sh')
    .replace(/\b\d+\.\d+\.\d+\.\d+\b/g, (ip) => swap.get(ip) ?? ip)
    .replace(/old-build-rings\.sh/g, 'new-build-rings.sh')
    .replace(/of the old side/g, 'of the new side');
  expect(asset(r, 'rings/new-build-rings.sh')).toBe(expected);
});

test('a second run refuses to overwrite the rings it built', async () => {
  const b = builds[0];
  const again = await run('bash', [join(b.dir, '..', 'build-rings.sh'), '--dir', b.dir]);
  expect(again.code).toBe(2);
  expect(again.stderr).toMatch(/account already built/);
});

/** A stand-in swift-ring-builder whose rebalance exits with `code`, writing a ring file or not. */
function fakeBuilder(code: number, writesRing: boolean): string {
  const bin = mkdtempSync(join(tmpdir(), 'fake-srb-'));
  const body = [
    '#!/bin/bash',
    'case "$2" in',
    `  rebalance) ${writesRing ? 'echo ring > "$(basename "$1" .builder).ring.gz"; ' : ''}exit ${code} ;;`,
    '  create) touch "$1" ;;',
    'esac',
    'exit 0',
  ].join('\n');
  writeFileSync(join(bin, 'swift-ring-builder'), body + '\n');
  chmodSync(join(bin, 'swift-ring-builder'), 0o755);
  return bin;
}

test.each([
  [0, true, 0, ''],
  [1, true, 0, 'warning: account: rebalance finished with a warning'],
  [1, false, 2, 'account: rebalance warned and wrote no ring'],
  [2, false, 2, 'account: rebalance failed (exit 2)'],
])('rebalance exit %i (ring written: %s) makes the script exit %i', async (code, writesRing, exit, message) => {
  const bin = fakeBuilder(code, writesRing);
  const dir = mkdtempSync(join(tmpdir(), 'rings-exit-'));
  const script = join(dir, 'build.sh');
  writeFileSync(script, asset(rendered('reference'), 'rings/old-build-rings.sh'));
  const result = await run('bash', [script, '--dir', join(dir, 'out')], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  expect(result.code).toBe(exit);
  if (message) expect(result.stderr).toContain(message);
  else expect(result.stderr).toBe('');
});

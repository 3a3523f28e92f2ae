/**
 * Everything the rehearsal report shows, as data: the plan's fidelity, cost and
 * topology, and for each rehearsal given its downtime windows, database hops,
 * Swift copies, switches and checks. The templates only lay it out.
 */
import type { Profile } from '../profile/schema';
import type { CellPlan, CostLine, CostPlan, FidelityRow, StagingPlan, SwiftPlan, Verdict } from '../plan/types';
import type { CheckResult } from '../runbook/checks';
import type { StepStatus, Timing } from '../runbook/report';
import { PHASES, type Phase } from '../runbook/types';
import type { PriceList } from '../targets/prices';
import { ASSUMED, estimatePhases, type EstimatedPhase } from './estimates';
import { PACKAGES_GIB_PER_NODE, transferLines, type TransferLine } from './transfer';
import type { RehearsalRecord } from './rehearsal-log';

export const VERDICTS: readonly Verdict[] = ['kept', 'scaled', 'emulated', 'dropped'];

export interface RehearsalCost {
  readonly label: string;
  readonly hours: number;
  /** Measured from the rehearsal's first step to its last, or estimated from stated assumptions. */
  readonly measured: boolean;
  readonly staging: number;
  readonly oneToOne: number;
}

export interface CostView {
  readonly currency: string;
  readonly source: string;
  readonly perHour: number;
  readonly budgetPerHour: number;
  readonly lines: readonly CostLine[];
  readonly oneToOnePerHour: number;
  /** One-to-one per hour over the staging's per hour. */
  readonly ratio: number;
  readonly rehearsals: readonly RehearsalCost[];
  /** Data a rehearsal moves and its price (an estimate, whatever was measured), and their total. */
  readonly transfer: readonly TransferLine[];
  readonly transferCost: number;
  /** The phases of the estimate, when no rehearsal was given. */
  readonly estimate?: readonly EstimatedPhase[];
  readonly assumptions: readonly string[];
}

/** A span of the rehearsal between two steps: from the first's start to the second's end. */
export interface Window {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  /** Undefined when a step of it did not run. */
  readonly seconds?: number;
}

export interface DatabaseHops {
  readonly round: string;
  /** Column names, in step order: `restore`, `sync-kilo`, `flavor-data`, `sync-liberty`… */
  readonly columns: readonly string[];
  readonly rows: readonly {
    readonly key: string;
    readonly cells: readonly { readonly status?: StepStatus; readonly seconds?: number }[];
    readonly seconds: number;
  }[];
}

export interface CheckView {
  readonly phase: string;
  readonly name: string;
  readonly step: string;
  readonly status: StepStatus | 'absent';
  /** One line: what the check found. */
  readonly summary: string;
  readonly details: readonly string[];
}

export interface RehearsalView {
  readonly label: string;
  readonly dir: string;
  readonly rehearsalId: string;
  readonly mode: string;
  readonly wallClockSeconds?: number;
  readonly counts: Readonly<Record<StepStatus, number>>;
  readonly windows: readonly Window[];
  readonly databases: readonly DatabaseHops[];
  readonly swift: readonly { readonly round: string; readonly initial?: number; readonly delta?: number; readonly parity: string }[];
  readonly checks: readonly CheckView[];
  /** Steps that failed or did not run, in order. */
  readonly unfinished: readonly Timing[];
  readonly phases: readonly { readonly phase: string; readonly seconds: number }[];
}

export interface ChartRow {
  readonly id: string;
  readonly phase: Phase;
  readonly bars: readonly { readonly label: string; readonly seconds: number; readonly status: StepStatus | 'absent' }[];
}

export interface ReportModel {
  readonly title: string;
  readonly plan: {
    readonly rehearsalId: string;
    readonly profile: string;
    readonly cloud: string;
    readonly region: string;
    readonly releasePath: string;
    readonly scale: number;
    readonly activeSide: string;
    readonly nodes: number;
  };
  readonly fidelity: { readonly rows: readonly FidelityRow[]; readonly counts: readonly { verdict: Verdict; count: number }[] };
  readonly cost: CostView;
  readonly cells: readonly CellPlan[];
  readonly swift: SwiftPlan;
  readonly rehearsals: readonly RehearsalView[];
  readonly chart: readonly ChartRow[];
}

const hoursOf = (seconds: number): number => seconds / 3600;
const money = (n: number): number => Number(n.toFixed(2));

/** Seconds from the first recorded start to the last recorded end. */
function wallClock(steps: readonly Timing[]): number | undefined {
  const starts = steps.flatMap((t) => (t.start ? [Date.parse(t.start)] : []));
  const ends = steps.flatMap((t) => (t.end ? [Date.parse(t.end)] : []));
  if (starts.length === 0 || ends.length === 0) return undefined;
  return (Math.max(...ends) - Math.min(...starts)) / 1000;
}

function window(steps: ReadonlyMap<string, Timing>, name: string, from: string, to: string): Window | undefined {
  const [a, b] = [steps.get(from), steps.get(to)];
  if (!a || !b) return undefined;
  const ran = (t: Timing) => t.status === 'ok' || t.status === 'failed';
  const seconds = ran(a) && ran(b) && a.start && b.end ? (Date.parse(b.end) - Date.parse(a.start)) / 1000 : undefined;
  return { name, from, to, ...(seconds !== undefined ? { seconds } : {}) };
}

const ROUNDS = ['upgrade-1', 'upgrade-2'] as const;

function databaseHops(steps: readonly Timing[], round: string): DatabaseHops | undefined {
  // `<round>.<action>.<database key>`: restore, sync-<release>, flavor-data.
  const pattern = new RegExp(`^${round}\\.(restore|sync-[a-z]+|flavor-data)\\.([a-z0-9-]+)$`);
  const columns: string[] = [];
  const byKey = new Map<string, Map<string, Timing>>();
  for (const t of steps) {
    const m = pattern.exec(t.id);
    if (!m) continue;
    const [, action, key] = m;
    if (!columns.includes(action)) columns.push(action);
    byKey.set(key, (byKey.get(key) ?? new Map()).set(action, t));
  }
  if (byKey.size === 0) return undefined;
  return {
    round,
    columns,
    rows: [...byKey].map(([key, actions]) => {
      const cells = columns.map((c) => {
        const t = actions.get(c);
        return t ? { status: t.status, seconds: t.seconds } : {};
      });
      return { key, cells, seconds: cells.reduce((sum, c) => sum + (c.seconds ?? 0), 0) };
    }),
  };
}

const resultOf = <K extends CheckResult['check']>(
  record: RehearsalRecord,
  step: string,
  check: K,
): Extract<CheckResult, { check: K }> | undefined =>
  record.results[step]?.find((r): r is Extract<CheckResult, { check: K }> => r.check === check);

/** Every result of one kind a step marked (one per node or per cell for some checks). */
const resultsOf = <K extends CheckResult['check']>(record: RehearsalRecord, step: string, check: K) =>
  (record.results[step] ?? []).filter((r): r is Extract<CheckResult, { check: K }> => r.check === check);

function checksOf(record: RehearsalRecord, steps: ReadonlyMap<string, Timing>): CheckView[] {
  const status = (id: string) => steps.get(id)?.status ?? 'absent';
  const views: CheckView[] = [];
  /** A check whose results are lists of problems: the named, multibyte-names, Horizon and shelve checks. */
  const problemsView = (
    phase: string,
    name: string,
    step: string,
    check: 'names' | 'horizon' | 'shelve' | 'tenant-view',
    ok: string,
  ): CheckView => {
    const results = resultsOf(record, step, check);
    const problems = results.flatMap((r) => r.problems);
    return {
      phase,
      name,
      step,
      status: status(step),
      summary: results.length === 0 ? 'no result recorded' : problems.length === 0 ? ok : `${problems.length} problem(s)`,
      details: problems,
    };
  };
  for (const round of ROUNDS) {
    const id = `${round}.swift-parity`;
    const r = resultOf(record, id, 'swift-parity');
    views.push({
      phase: round,
      name: 'Swift parity',
      step: id,
      status: status(id),
      summary: r
        ? r.problems.length === 0
          ? `${r.pairs.length} pair(s) equal, ${r.pairs.reduce((s, p) => s + p.oldObjects, 0)} object file(s)`
          : `${r.problems.length} of ${r.pairs.length} pair(s) differ`
        : 'no result recorded',
      details: r?.problems ?? [],
    });
  }
  for (const round of ROUNDS) {
    const id = `${round}.swift-accounts-new`;
    const r = resultOf(record, id, 'swift-accounts');
    views.push({
      phase: round,
      name: 'Swift accounts through the API',
      step: id,
      status: status(id),
      summary: r
        ? r.problems.length === 0
          ? `${r.containers} container(s) of ${r.accounts} account(s) listed alike, ${r.objects} object(s)`
          : `${r.problems.length} listing difference(s)`
        : 'no result recorded',
      details: r?.problems ?? [],
    });
  }
  for (const phase of ['verify-upgrade-1', 'verify-rollback', 'verify-upgrade-2']) {
    const canary = `${phase}.canary-inventory`;
    const c = resultOf(record, canary, 'canary');
    views.push({
      phase,
      name: 'canary survival',
      step: canary,
      status: status(canary),
      summary: c ? (c.problems.length === 0 ? 'every canary survived' : `${c.problems.length} canary problem(s)`) : 'no result recorded',
      details: c?.problems ?? [],
    });
    const imageStep = `${phase}.canary-image`;
    const image = resultOf(record, imageStep, 'image');
    views.push({
      phase,
      name: 'canary image data',
      step: imageStep,
      status: status(imageStep),
      summary: image
        ? image.problems.length === 0
          ? 'the image reads back with its checksum'
          : 'the image data changed'
        : 'no result recorded',
      details: image?.problems ?? [],
    });
    const probe = `${phase}.new-server`;
    views.push({
      phase,
      name: 'a new server boots in every cell',
      step: probe,
      status: status(probe),
      summary:
        status(probe) === 'ok'
          ? 'ACTIVE with an address, then deleted'
          : status(probe) === 'failed'
            ? 'a boot failed: see the step log'
            : String(status(probe)),
      details: [],
    });
    views.push(
      problemsView(phase, 'tenant isolation', `${phase}.tenant-view`, 'tenant-view', "every project lists its own, no other project's"),
      problemsView(phase, 'multibyte names', `${phase}.multibyte-names`, 'names', 'every Japanese name shows and lists as made'),
      problemsView(phase, 'Horizon login and project switch', `${phase}.horizon`, 'horizon', 'logged in, switched to every canary project'),
      problemsView(phase, 'shelve and unshelve', `${phase}.shelve`, 'shelve', 'one shelved image per server, none after'),
    );
    const tempestStep = `${phase}.tempest`;
    const tempest = resultOf(record, tempestStep, 'tempest');
    views.push({
      phase,
      name: 'Tempest smoke tests',
      step: tempestStep,
      status: status(tempestStep),
      summary: tempest
        ? `Tempest ${tempest.tag}: ${tempest.passed} passed, ${tempest.failed} failed, ${tempest.skipped} skipped`
        : 'no result recorded',
      details: tempest?.problems ?? [],
    });
    const services = `${phase}.nova-services`;
    const run = steps.get(services);
    const log = run?.attempts?.at(-1)?.log;
    views.push({
      phase,
      name: 'Nova services up',
      step: services,
      status: status(services),
      summary:
        run?.status === 'ok'
          ? 'no dead service in any cell'
          : run?.status === 'failed'
            ? `a service is down or the check failed (exit ${run.exitCode ?? '?'})${log ? `: ${record.dir}/${log}` : ''}`
            : 'not run',
      details: [],
    });
    const logs = `${phase}.log-ignore`;
    const l = resultOf(record, logs, 'log-ignore');
    const unmatched = l ? l.newUnmatched.reduce((s, u) => s + u.count, 0) : 0;
    views.push({
      phase,
      name: 'log-pattern drift',
      step: logs,
      status: status(logs),
      summary: l
        ? `${l.stoppedMatching.length} pattern(s) no longer match; ${l.newUnmatched.length} new line shape(s) nothing ignores (${unmatched} line(s))` +
          (l.load?.[0] ? `; busiest hour: ${l.load[0].lines} line(s) reach the monitoring (${l.load[0].node}, ${l.load[0].service})` : '')
        : 'no result recorded',
      details: l
        ? [
            ...l.stoppedMatching.map((p) => `no longer matches: ${p}`),
            ...l.newUnmatched.slice(0, 10).map((u) => `${u.count} x ${u.shape.slice(0, 160)}`),
          ]
        : [],
    });
  }
  return views;
}

function rehearsalView(record: RehearsalRecord): RehearsalView {
  const steps = record.report.steps;
  const byId = new Map(steps.map((t) => [t.id, t]));
  const counts: Record<StepStatus, number> = { ok: 0, failed: 0, 'not run': 0, 'dry-run': 0 };
  for (const t of steps) counts[t.status] += 1;
  const windows = [
    ...ROUNDS.map((r) => window(byId, `${r}: API downtime (API closed -> cut-over done)`, `${r}.close-api`, `${r}.cut-over`)),
    window(byId, 'rollback: API downtime (new side stopped -> edge back on the old side)', 'rollback.stop-new', 'rollback.edge'),
    ...ROUNDS.map((r) => window(byId, `${r}: cut-over (edge switch)`, `${r}.cut-over`, `${r}.cut-over`)),
    window(byId, 'rollback: edge switch', 'rollback.edge', 'rollback.edge'),
  ].filter((w): w is Window => w !== undefined);
  const phases = PHASES.map((phase) => ({ phase, seconds: record.report.phases?.[phase] ?? 0 }));
  const seconds = (id: string) => {
    const t = byId.get(id);
    return t && t.status === 'ok' ? t.seconds : undefined;
  };
  const wall = wallClock(steps);
  return {
    label: record.label,
    dir: record.dir,
    rehearsalId: record.report.rehearsalId,
    mode: record.report.mode,
    ...(wall !== undefined ? { wallClockSeconds: wall } : {}),
    counts,
    windows,
    databases: ROUNDS.map((r) => databaseHops(steps, r)).filter((d): d is DatabaseHops => d !== undefined),
    swift: ROUNDS.filter((r) => byId.has(`${r}.swift-copy-initial`)).map((round) => {
      const parity = resultOf(record, `${round}.swift-parity`, 'swift-parity');
      const initial = seconds(`${round}.swift-copy-initial`);
      const delta = seconds(`${round}.swift-copy-delta`);
      return {
        round,
        ...(initial !== undefined ? { initial } : {}),
        ...(delta !== undefined ? { delta } : {}),
        parity: parity ? (parity.problems.length === 0 ? 'equal' : `${parity.problems.length} pair(s) differ`) : 'not checked',
      };
    }),
    checks: checksOf(record, byId),
    unfinished: steps.filter((t) => t.status === 'failed' || t.status === 'not run'),
    phases,
  };
}

/** One row per step of any rehearsal given, in runbook order, one bar per rehearsal. */
function chartRows(records: readonly RehearsalRecord[]): ChartRow[] {
  const order: Timing[] = [];
  const seen = new Set<string>();
  for (const r of records)
    for (const t of r.report.steps)
      if (!seen.has(t.id)) {
        seen.add(t.id);
        order.push(t);
      }
  const sorted = order
    .map((t, i) => ({ t, i }))
    .sort((a, b) => PHASES.indexOf(a.t.phase) - PHASES.indexOf(b.t.phase) || a.i - b.i)
    .map(({ t }) => t);
  return sorted.map((t) => ({
    id: t.id,
    phase: t.phase,
    bars: records.map((r) => {
      const step = r.report.steps.find((s) => s.id === t.id);
      return { label: r.label, seconds: step?.seconds ?? 0, status: step?.status ?? 'absent' };
    }),
  }));
}

export interface ReportInputs {
  readonly plan: StagingPlan;
  readonly profile: Profile;
  /** The same profile's one-to-one clone priced on the same catalog. */
  readonly oneToOne: CostPlan;
  /** The target's price list (data transfer prices). */
  readonly prices: PriceList;
  readonly rehearsals: readonly RehearsalRecord[];
}

export function reportModel({ plan, profile, oneToOne, prices, rehearsals }: ReportInputs): ReportModel {
  const measured = rehearsals.flatMap((r) => {
    const wall = wallClock(r.report.steps);
    return wall !== undefined && r.report.mode === 'execute' ? [{ label: r.label, hours: hoursOf(wall) }] : [];
  });
  const estimate = measured.length === 0 ? estimatePhases(plan, profile) : undefined;
  const transfer = transferLines(plan, profile, prices);
  const perRehearsal = estimate
    ? [{ label: 'one rehearsal', hours: estimate.reduce((s, p) => s + p.minutes, 0) / 60, measured: false }]
    : measured.map((m) => ({ ...m, measured: true }));
  return {
    title: `Upgrade rehearsal of ${plan.profile}: ${[plan.releases.from, ...plan.releases.via, plan.releases.to].join(' -> ')}`,
    plan: {
      rehearsalId: plan.rehearsalId,
      profile: plan.profile,
      cloud: plan.cloud,
      region: plan.region,
      releasePath: [plan.releases.from, ...plan.releases.via, plan.releases.to].join(' -> '),
      scale: plan.scale.factor,
      activeSide: plan.activeSide,
      nodes: plan.nodes.length,
    },
    fidelity: {
      rows: plan.fidelity,
      counts: VERDICTS.map((verdict) => ({ verdict, count: plan.fidelity.filter((r) => r.verdict === verdict).length })),
    },
    cost: {
      currency: plan.cost.currency,
      source: plan.cost.source,
      perHour: plan.cost.perHour,
      budgetPerHour: plan.cost.budgetPerHour,
      lines: plan.cost.lines,
      oneToOnePerHour: oneToOne.perHour,
      ratio: Number((oneToOne.perHour / plan.cost.perHour).toFixed(1)),
      rehearsals: perRehearsal.map((r) => ({
        ...r,
        hours: Number(r.hours.toFixed(2)),
        staging: money(r.hours * plan.cost.perHour),
        oneToOne: money(r.hours * oneToOne.perHour),
      })),
      transfer,
      transferCost: money(transfer.reduce((sum, l) => sum + l.cost, 0)),
      ...(estimate ? { estimate } : {}),
      assumptions: [
        'a rehearsal is billed from its first step to its last, every stack up throughout (the new side is down only while it is rebuilt)',
        'the one-to-one clone is priced for the same hours; its larger databases and Swift copy would take longer',
        ...(estimate
          ? [
              `estimated, not measured: restore ${ASSUMED.restoreGiBPerHour} GiB/h, dump ${ASSUMED.dumpGiBPerHour} GiB/h, ` +
                `${ASSUMED.migrationMinutes} min per schema migration, Swift copied at ${ASSUMED.swiftCopyMiBPerSecond} MiB/s ` +
                `with the devices ${ASSUMED.swiftFill * 100}% full, ${ASSUMED.buildSideMinutes} min to build a side`,
            ]
          : []),
        `data transfer is estimated: ${PACKAGES_GIB_PER_NODE} GiB of packages per node built, every database dumped and restored at its size, ` +
          `Swift devices ${ASSUMED.swiftFill * 100}% full; traffic within a zone, into the cloud and to the region's object store is free`,
      ],
    },
    cells: plan.cells,
    swift: plan.swift,
    rehearsals: rehearsals.map(rehearsalView),
    chart: rehearsals.length > 0 ? chartRows(rehearsals) : [],
  };
}

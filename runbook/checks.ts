/**
 * The rehearsal's own checks, pure so they are tested without a cloud: the
 * canary inventory against the one recorded after seeding (what must survive
 * every upgrade and rollback), and the log-monitoring ignore list against the
 * logs of the release now serving (the list grew on Icehouse's log format).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back from output files, checked field by field
type Json = Record<string, any>;

/** The `inventory` output of the canary stack from a `cdktf output --outputs-file` file. */
export const inventoryOf = (outputs: Json): Json => {
  const inventory = outputs?.canary?.inventory;
  if (!inventory || typeof inventory !== 'object') throw new Error('no canary inventory in the outputs file');
  return inventory;
};

/** Every difference between two inventories, as `path: before -> after`. Empty when everything survived. */
export function inventoryDiff(before: Json, after: Json, path = ''): string[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort();
  return keys.flatMap((key) => {
    const [a, b, at] = [before?.[key], after?.[key], path ? `${path}.${key}` : key];
    if (a && b && typeof a === 'object' && typeof b === 'object') return inventoryDiff(a, b, at);
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [`${at}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`];
  });
}

/** Whether a server list's Networks column names an address: `net=10.0.0.3` (older clients) or `{ net: ['10.0.0.3'] }`. */
export const hasAddress = (networks: unknown): boolean =>
  typeof networks === 'string'
    ? /\d+\.\d+\.\d+\.\d+|[0-9a-f]*:[0-9a-f:]+/i.test(networks)
    : networks !== null &&
      typeof networks === 'object' &&
      Object.values(networks).some((v) => (Array.isArray(v) ? v.length > 0 : Boolean(v)));

/**
 * Canary servers missing from a live `openstack server list -f json`, not ACTIVE there, or
 * listed without their addresses (a regression upgrades have shipped: `nova list` lost them).
 */
export function serverProblems(
  inventory: Json,
  live: readonly { ID: string; Name: string; Status: string; Networks?: unknown }[],
): string[] {
  const byId = new Map(live.map((s) => [s.ID, s]));
  return Object.entries<Json>(inventory.servers ?? {}).flatMap(([name, s]) => {
    const found = byId.get(s.id);
    if (!found) return [`${name} (${s.id}): gone`];
    if (found.Status !== 'ACTIVE') return [`${name} (${s.id}): ${found.Status}`];
    return hasAddress(found.Networks) ? [] : [`${name} (${s.id}): listed without its addresses`];
  });
}

export interface LogFindings {
  /** Patterns that matched the old release's logs and match nothing in the new one's: their alerts are back. */
  readonly stoppedMatching: readonly string[];
  /** Patterns matching nothing in either. */
  readonly neverMatched: readonly string[];
  /** Shapes of new-release lines no pattern ignores and the old release never logged, with a count and an example. */
  readonly newUnmatched: readonly { readonly shape: string; readonly count: number; readonly example: string }[];
}

/** A line with its variable parts (numbers, ids, addresses, timestamps) masked, to group alike lines. */
export const shapeOf = (line: string): string =>
  line
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, '<uuid>')
    .replace(/\b(req-)?[0-9a-f]{32,}\b/gi, '<id>')
    .replace(/\d+/g, '#');

export function checkLogs(patterns: readonly string[], oldLines: readonly string[], newLines: readonly string[]): LogFindings {
  const regexes = patterns.map((p) => new RegExp(p));
  const matchesAny = (lines: readonly string[], re: RegExp) => lines.some((l) => re.test(l));
  const unmatched = (lines: readonly string[]) => lines.filter((l) => l.trim() !== '' && !regexes.some((re) => re.test(l)));
  const oldShapes = new Set(unmatched(oldLines).map(shapeOf));
  const counts = new Map<string, { count: number; example: string }>();
  for (const line of unmatched(newLines)) {
    const shape = shapeOf(line);
    if (oldShapes.has(shape)) continue;
    const entry = counts.get(shape) ?? { count: 0, example: line };
    counts.set(shape, { ...entry, count: entry.count + 1 });
  }
  return {
    stoppedMatching: patterns.filter((_, i) => matchesAny(oldLines, regexes[i]) && !matchesAny(newLines, regexes[i])),
    neverMatched: patterns.filter((_, i) => !matchesAny(oldLines, regexes[i]) && !matchesAny(newLines, regexes[i])),
    newUnmatched: [...counts].map(([shape, v]) => ({ shape, ...v })).sort((a, b) => b.count - a.count),
  };
}

/** Pattern file lines: comments and blank lines are not patterns. */
export const patternsOf = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

/** One Swift storage pair after the delta copy: object files and bytes on the old node and on its new twin. */
export interface SwiftPairCount {
  readonly from: string;
  readonly to: string;
  readonly oldObjects: number;
  readonly oldBytes: number;
  readonly newObjects: number;
  readonly newBytes: number;
}

/** Lines `FROM TO OLD_OBJECTS OLD_BYTES NEW_OBJECTS NEW_BYTES` (what the parity step records), one per pair. */
export function swiftPairCounts(text: string): SwiftPairCount[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [from, to, ...numbers] = line.trim().split(/\s+/);
      const values = numbers.map(Number);
      if (values.length !== 4 || values.some((v) => !Number.isInteger(v) || v < 0)) {
        throw new Error(`not a parity line (FROM TO OLD_OBJECTS OLD_BYTES NEW_OBJECTS NEW_BYTES): ${line}`);
      }
      const [oldObjects, oldBytes, newObjects, newBytes] = values;
      return { from, to, oldObjects, oldBytes, newObjects, newBytes };
    });
}

/** The pairs whose copy differs from its source. */
export const parityProblems = (pairs: readonly SwiftPairCount[]): string[] =>
  pairs
    .filter((p) => p.oldObjects !== p.newObjects || p.oldBytes !== p.newBytes)
    .map((p) => `${p.from} -> ${p.to}: ${p.oldObjects} objects (${p.oldBytes} bytes) -> ${p.newObjects} (${p.newBytes})`);

/** One line of a side's Swift listing (runbook/swift-accounts.ts): a container with its counts, or a canary object with its ETag. */
export type SwiftListingLine =
  | readonly ['container', account: string, container: string, objects: number, bytes: number]
  | readonly ['object', account: string, path: string, etag: string, bytes: number];

export function swiftListing(text: string, file: string): SwiftListingLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      let fields: unknown;
      try {
        fields = JSON.parse(line);
      } catch {
        fields = undefined;
      }
      const ok =
        Array.isArray(fields) &&
        fields.length === 5 &&
        (fields[0] === 'container' || fields[0] === 'object') &&
        typeof fields[1] === 'string' &&
        typeof fields[2] === 'string' &&
        (fields[0] === 'container' ? Number.isInteger(fields[3]) : typeof fields[3] === 'string') &&
        Number.isInteger(fields[4]);
      if (!ok)
        throw new Error(
          `${file}: not a listing line (["container", ACCOUNT, NAME, OBJECTS, BYTES] or ["object", ACCOUNT, PATH, ETAG, BYTES]): ${line}`,
        );
      return fields as SwiftListingLine;
    });
}

/** What the new side's listing lacks, adds or counts differently from the old side's. */
export function listingProblems(old: readonly SwiftListingLine[], fresh: readonly SwiftListingLine[]): string[] {
  const key = (l: SwiftListingLine) => `${l[0]} ${l[1]}/${l[2]}`;
  const show = (l: SwiftListingLine) => (l[0] === 'container' ? `${l[3]} objects, ${l[4]} bytes` : `ETag ${l[3]}, ${l[4]} bytes`);
  const before = new Map(old.map((l) => [key(l), l]));
  const after = new Map(fresh.map((l) => [key(l), l]));
  const problems: string[] = [];
  for (const [k, l] of before) {
    const n = after.get(k);
    if (!n) problems.push(`${k}: missing on the new side (old: ${show(l)})`);
    else if (n[3] !== l[3] || n[4] !== l[4]) problems.push(`${k}: old ${show(l)}, new ${show(n)}`);
  }
  for (const [k, n] of after) if (!before.has(k)) problems.push(`${k}: only on the new side (${show(n)})`);
  return problems;
}

/** Totals of a listing, for the report. */
export function listingTotals(lines: readonly SwiftListingLine[]): {
  accounts: number;
  containers: number;
  objects: number;
  bytes: number;
} {
  const containers = lines.filter((l) => l[0] === 'container');
  return {
    accounts: new Set(containers.map((l) => l[1])).size,
    containers: containers.length,
    objects: containers.reduce((s, l) => s + (l[3] as number), 0),
    bytes: containers.reduce((s, l) => s + l[4], 0),
  };
}

/** What a check found, as the report reads it back from the step's log (one marked JSON line). */
export type CheckResult =
  | { readonly check: 'canary'; readonly problems: readonly string[] }
  | { readonly check: 'image'; readonly problems: readonly string[] }
  | {
      readonly check: 'log-ignore';
      readonly stoppedMatching: readonly string[];
      readonly neverMatched: number;
      /** Line shapes (variable parts masked) nothing ignores, most frequent first; no raw log line. */
      readonly newUnmatched: readonly { readonly shape: string; readonly count: number }[];
      /** The busiest hours of lines nothing ignores, per node and service (the monitoring's load). */
      readonly load?: readonly AlertLoad[];
    }
  | { readonly check: 'swift-parity'; readonly pairs: readonly SwiftPairCount[]; readonly problems: readonly string[] }
  | ({ readonly check: 'swift-accounts'; readonly problems: readonly string[] } & ReturnType<typeof listingTotals>)
  | { readonly check: 'names'; readonly problems: readonly string[] }
  | { readonly check: 'shelve'; readonly server: string; readonly problems: readonly string[] }
  | { readonly check: 'horizon'; readonly user: string; readonly problems: readonly string[] }
  | { readonly check: 'tenant-view'; readonly project: string; readonly problems: readonly string[] }
  | ({ readonly check: 'tempest'; readonly tag: string; readonly problems: readonly string[] } & TempestTotals);

/** Marks the line of a check's output that carries its result. */
export const RESULT_MARK = 'staging-check-result ';

export const resultLine = (result: CheckResult): string => `${RESULT_MARK}${JSON.stringify(result)}\n`;

/** The results marked in a step's output, in order. */
export const resultsIn = (log: string): CheckResult[] =>
  log
    .split('\n')
    .filter((l) => l.startsWith(RESULT_MARK))
    .flatMap((l) => {
      try {
        return [JSON.parse(l.slice(RESULT_MARK.length)) as CheckResult];
      } catch {
        return [];
      }
    });

/** Flavors the canary boots that the staging's Nova does not list exactly once (`openstack flavor list --all -f json`). */
export function flavorProblems(names: readonly string[], listed: readonly { Name: string }[]): string[] {
  return names.flatMap((name) => {
    const found = listed.filter((f) => f.Name === name).length;
    if (found === 1) return [];
    return [
      found === 0
        ? `flavor ${name}: not in the restored database`
        : `flavor ${name}: ${found} flavors of that name (a look-up by name is ambiguous)`,
    ];
  });
}

/**
 * Where the canary's provider really authenticates: an `auth_url` in the clouds.yaml
 * entry wins over the one the stack passes, so it must be absent or the edge's own.
 * `config` is `openstack --os-cloud ENTRY configuration show -f json` (secrets redacted).
 */
export function canaryAuthProblem(config: Record<string, unknown>, edgeUrl: string): string | undefined {
  const url = config['auth.auth_url'] ?? (config.auth as Record<string, unknown> | undefined)?.auth_url;
  if (url === undefined || url === null || url === '') return undefined;
  const norm = (u: string) => u.replace(/\/+$/, '');
  return norm(String(url)) === norm(edgeUrl)
    ? undefined
    : `the clouds.yaml entry's auth_url ${String(url)} wins over the edge's ${edgeUrl}: remove it from the entry, or set it to the edge's`;
}

/** Lines the ignore list lets through in one hour of one node's logs of one service: what reaches the monitoring. */
export interface AlertLoad {
  readonly node: string;
  readonly service: string;
  /** `YYYY-MM-DD HH` (OpenStack's log format) or `Mon DD HH` (syslog's). */
  readonly hour: string;
  readonly lines: number;
}

/** Service and hour of a log line: OpenStack's `2016-09-01 10:00:00.123 PID LEVEL nova.compute.manager …`, or syslog's Swift lines. */
function serviceHour(line: string): { service: string; hour: string } | undefined {
  const os = /^(\d{4}-\d\d-\d\d \d\d):\d\d:\d\d(?:\.\d+)? +\d+ +[A-Z]+ +([a-z_]+)[.\s]/.exec(line);
  if (os) return { service: os[2].replace(/_.*$/, ''), hour: os[1] };
  const syslog = /^([A-Z][a-z]{2} +\d+ \d\d):\d\d:\d\d \S+ (proxy|object|container|account)-[a-z-]+:/.exec(line);
  if (syslog) return { service: 'swift', hour: syslog[1].replace(/ +/g, ' ') };
  return undefined;
}

/**
 * Per node, service and hour, the lines no pattern ignores, busiest first: an alert
 * flood shows here before it reaches production's monitoring. Lines without a
 * recognizable time count under hour `?`.
 */
export function alertLoad(patterns: readonly string[], logsByNode: Readonly<Record<string, readonly string[]>>): AlertLoad[] {
  const regexes = patterns.map((p) => new RegExp(p));
  const counts = new Map<string, AlertLoad>();
  for (const [node, lines] of Object.entries(logsByNode)) {
    for (const line of lines) {
      if (line.trim() === '' || regexes.some((re) => re.test(line))) continue;
      const at = serviceHour(line) ?? { service: 'other', hour: '?' };
      const key = `${node}\u0000${at.service}\u0000${at.hour}`;
      const entry = counts.get(key) ?? { node, service: at.service, hour: at.hour, lines: 0 };
      counts.set(key, { ...entry, lines: entry.lines + 1 });
    }
  }
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...counts.values()].sort(
    (a, b) => b.lines - a.lines || order(a.node, b.node) || order(a.hour, b.hour) || order(a.service, b.service),
  );
}

/** What is wrong with a server just booted (`openstack server create --wait -f json`): not ACTIVE, or without an address. */
export function probeProblems(server: Json): string[] {
  const problems: string[] = [];
  if (server.status !== 'ACTIVE')
    problems.push(`${server.name ?? 'probe'}: ${server.status ?? 'no status'}${server.fault ? ` (${JSON.stringify(server.fault)})` : ''}`);
  if (!hasAddress(server.addresses)) problems.push(`${server.name ?? 'probe'}: no address`);
  return problems;
}

/** The kinds the multibyte-names check shows and lists, with the field `show -f json` names them by. */
export const NAMED_KINDS = { project: 'name', network: 'name', server: 'name', image: 'name', object: 'object' } as const;
export type NamedKind = keyof typeof NAMED_KINDS;

/**
 * Names that did not come back byte for byte: `shown[kind]` is `openstack KIND show -f json`,
 * `listed[kind]` is `openstack KIND list -f json` (a `Name` column).
 */
export function nameProblems(
  expected: Readonly<Record<NamedKind, string>>,
  shown: Readonly<Record<NamedKind, Json>>,
  listed: Readonly<Record<NamedKind, readonly Json[]>>,
): string[] {
  return (Object.keys(NAMED_KINDS) as NamedKind[]).flatMap((kind) => {
    const name = expected[kind];
    const problems: string[] = [];
    const shownName = shown[kind]?.[NAMED_KINDS[kind]];
    if (shownName !== name) problems.push(`${kind} ${JSON.stringify(name)}: shown as ${JSON.stringify(shownName)}`);
    if (!(listed[kind] ?? []).some((row) => row.Name === name)) problems.push(`${kind} ${JSON.stringify(name)}: not in the list`);
    return problems;
  });
}

/**
 * Glance's shelved images of a server (`openstack image list --name NAME-shelved -f json`),
 * during the shelve and after the unshelve: exactly one, then none (nova's compute API
 * names the snapshot `<display name>-shelved`, and the unshelve deletes it: conductor
 * and compute manager, 2014.1 and 12.0.0).
 */
export function shelveProblems(server: string, duringShelve: readonly Json[], afterUnshelve: readonly Json[]): string[] {
  return [
    ...(duringShelve.length === 1 ? [] : [`${server}: ${duringShelve.length} shelved images while shelved (expected 1)`]),
    ...(afterUnshelve.length === 0 ? [] : [`${server}: ${afterUnshelve.length} shelved image(s) left after the unshelve`]),
  ];
}

/** A Tempest run's counts, from the JUnit XML subunit2junitxml writes. */
export interface TempestTotals {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Failed or errored test ids, attributes (`[id-…,smoke]`) dropped. */
  readonly failedTests: readonly string[];
}

/** Counts every `<testcase>`: a `<failure>` or `<error>` inside fails it, a `<skip>`/`<skipped>` skips it. */
export function junitTotals(xml: string): TempestTotals {
  let passed = 0;
  let skipped = 0;
  const failedTests: string[] = [];
  const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1] ?? '';
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = m[3] ?? '';
    const id = `${attr(m[1], 'classname')}.${attr(m[1], 'name').replace(/\[.*\]$/, '')}`;
    if (/<(failure|error)\b/.test(body)) failedTests.push(id);
    else if (/<skip(ped)?\b/.test(body)) skipped += 1;
    else passed += 1;
  }
  return { passed, failed: failedTests.length, skipped, failedTests };
}

export const tempestProblems = (t: TempestTotals): string[] => [
  ...(t.passed + t.failed === 0 ? ['no Tempest test ran (see the step log: install, configuration or selection)'] : []),
  ...t.failedTests.map((id) => `failed: ${id}`),
];

/** What one canary project's tenant must and must not see: by kind, the names of its own and of the other projects' resources. */
export interface TenantView {
  readonly own: { readonly servers: readonly string[]; readonly networks: readonly string[] };
  readonly foreign: { readonly servers: readonly string[]; readonly networks: readonly string[] };
}

/**
 * One canary project as its tenant lists it (`openstack server list` and `network
 * list -f json`, scoped to the project): each of its own servers and networks there,
 * none of another project's. A release whose policy let a member see other tenants'
 * resources, or lost a project's ownership of its own, fails here.
 */
export function tenantViewProblems(
  project: string,
  listed: { readonly servers: readonly Json[]; readonly networks: readonly Json[] },
  view: TenantView,
): string[] {
  return (['servers', 'networks'] as const).flatMap((kind) => {
    const names = new Set(listed[kind].map((r) => String(r.Name)));
    const noun = kind === 'servers' ? 'server' : 'network';
    return [
      ...view.own[kind].filter((n) => !names.has(n)).map((n) => `${project}: its ${noun} ${n} is not listed`),
      ...view.foreign[kind].filter((n) => names.has(n)).map((n) => `${project}: lists the ${noun} ${n} of another project`),
    ];
  });
}

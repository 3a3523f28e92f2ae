/**
 * The checks as commands the steps run on the operator machine:
 *   checks-cli.ts inventory RECORDED.json CURRENT.json [SERVERS.json]   exit 1 on any difference
 *   checks-cli.ts logs PATTERNS OLD_LOG_DIR NEW_LOG_DIR REPORT.md      findings are a report, exit 0
 *   checks-cli.ts swift-parity COUNTS.txt                               exit 1 when a copy differs from its source
 *   checks-cli.ts swift-accounts OLD.jsonl NEW.jsonl                    exit 1 when the new side's API lists other containers or counts
 *   checks-cli.ts flavors FLAVORS.json NAME...                          exit 1 unless each flavor is listed exactly once
 *   checks-cli.ts canary-auth CONFIG.json EDGE_OUTPUTS.json             exit 1 when clouds.yaml points elsewhere
 *   checks-cli.ts image FILE CANARY_OUTPUTS.json                        exit 1 unless the image data has its checksum
 *   checks-cli.ts image-id CANARY_OUTPUTS.json [multibyte]              prints the canary image's id (or the Japanese-named one's)
 *   checks-cli.ts tempest JUNIT.xml TAG                                 exit 1 when a test failed or none ran
 *   checks-cli.ts network-id CANARY_OUTPUTS.json NAME                   prints a canary network's id
 *   checks-cli.ts probe SERVER.json                                     exit 1 unless the server is ACTIVE with an address
 *   checks-cli.ts endpoint EDGE_OUTPUTS.json                            prints the edge endpoint
 *   checks-cli.ts names DIR KIND=NAME...                                exit 1 unless each name is shown and listed as made
 *   checks-cli.ts shelve SERVER SHELVED.json UNSHELVED.json             exit 1 unless one shelved image, then none
 *   checks-cli.ts server-id CANARY_OUTPUTS.json NAME                    prints a canary server's id
 *   checks-cli.ts project-id CANARY_OUTPUTS.json NAME                   prints a canary project's id
 *   checks-cli.ts tenant-view PROJECT SERVERS.json NETWORKS.json ±KIND=NAME...  exit 1 unless each +name is listed and no -name
 * Each check also prints one marked result line, which the report reads back from the step's log.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  alertLoad,
  canaryAuthProblem,
  checkLogs,
  flavorProblems,
  NAMED_KINDS,
  nameProblems,
  type NamedKind,
  shelveProblems,
  inventoryDiff,
  inventoryOf,
  junitTotals,
  tempestProblems,
  parityProblems,
  probeProblems,
  patternsOf,
  resultLine,
  serverProblems,
  swiftPairCounts,
  listingProblems,
  listingTotals,
  swiftListing,
  tenantViewProblems,
} from './checks';

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const linesIn = (dir: string): string[] => readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'));
/** `<node>.log` files of a collected folder, by node. */
const logsByNode = (dir: string): Record<string, string[]> =>
  Object.fromEntries(readdirSync(dir).map((f) => [f.replace(/\.log$/, ''), readFileSync(join(dir, f), 'utf8').split('\n')]));

function main([command, ...args]: string[]): number {
  switch (command) {
    case 'inventory': {
      const [recorded, current, servers] = args;
      const before = inventoryOf(json(recorded));
      const problems = [...inventoryDiff(before, inventoryOf(json(current))), ...(servers ? serverProblems(before, json(servers)) : [])];
      problems.forEach((p) => process.stdout.write(`canary: ${p}\n`));
      process.stdout.write(problems.length ? `${problems.length} canary problem(s)\n` : 'every canary survived\n');
      process.stdout.write(resultLine({ check: 'canary', problems }));
      return problems.length ? 1 : 0;
    }
    case 'logs': {
      const [patterns, oldDir, newDir, out] = args;
      const list = patternsOf(readFileSync(patterns, 'utf8'));
      const f = checkLogs(list, linesIn(oldDir), linesIn(newDir));
      const load = alertLoad(list, logsByNode(newDir));
      const text = [
        `# Log-ignore check: ${newDir} against ${oldDir}`,
        '',
        `## Patterns that stopped matching (${f.stoppedMatching.length})`,
        ...f.stoppedMatching.map((p) => `- \`${p}\``),
        '',
        `## Patterns matching nothing on either side (${f.neverMatched.length})`,
        ...f.neverMatched.map((p) => `- \`${p}\``),
        '',
        `## New unmatched line shapes (${f.newUnmatched.length})`,
        ...f.newUnmatched.slice(0, 200).map((u) => `- ${u.count} x \`${u.example}\``),
        '',
        '## Alert load: lines nothing ignores, per node, service and hour (busiest first)',
        ...load.slice(0, 50).map((l) => `- ${l.lines} lines: ${l.node} ${l.service} ${l.hour}h`),
        '',
      ].join('\n');
      writeFileSync(out, text);
      process.stdout.write(
        `${f.stoppedMatching.length} pattern(s) stopped matching, ${f.newUnmatched.length} new unmatched shape(s): ${out}\n`,
      );
      process.stdout.write(
        resultLine({
          check: 'log-ignore',
          stoppedMatching: f.stoppedMatching,
          neverMatched: f.neverMatched.length,
          newUnmatched: f.newUnmatched.slice(0, 50).map((u) => ({ shape: u.shape, count: u.count })),
          load: load.slice(0, 20),
        }),
      );
      return 0;
    }
    case 'swift-parity': {
      const pairs = swiftPairCounts(readFileSync(args[0], 'utf8'));
      const problems = parityProblems(pairs);
      problems.forEach((p) => process.stdout.write(`swift: ${p}\n`));
      const objects = pairs.reduce((sum, p) => sum + p.oldObjects, 0);
      process.stdout.write(
        problems.length
          ? `${problems.length} of ${pairs.length} Swift pair(s) differ\n`
          : `every Swift pair holds the same objects (${pairs.length} pair(s), ${objects} object file(s))\n`,
      );
      process.stdout.write(resultLine({ check: 'swift-parity', pairs, problems }));
      return problems.length ? 1 : 0;
    }
    case 'swift-accounts': {
      const [oldFile, newFile] = args;
      const old = swiftListing(readFileSync(oldFile, 'utf8'), oldFile);
      const problems = listingProblems(old, swiftListing(readFileSync(newFile, 'utf8'), newFile));
      const totals = listingTotals(old);
      problems.slice(0, 200).forEach((p) => process.stdout.write(`swift: ${p}\n`));
      process.stdout.write(
        problems.length
          ? `${problems.length} Swift account listing difference(s) between the sides\n`
          : `the new side lists what the old side did: ${totals.accounts} account(s), ${totals.containers} container(s), ${totals.objects} object(s), ${totals.bytes} bytes\n`,
      );
      process.stdout.write(resultLine({ check: 'swift-accounts', ...totals, problems: problems.slice(0, 200) }));
      return problems.length ? 1 : 0;
    }
    case 'flavors': {
      const [listed, ...names] = args;
      const problems = flavorProblems(names, json(listed));
      problems.forEach((p) => process.stdout.write(`${p}\n`));
      process.stdout.write(
        problems.length ? `${problems.length} flavor problem(s)\n` : `production's ${names.length} flavor(s) are there, once each\n`,
      );
      return problems.length ? 1 : 0;
    }
    case 'canary-auth': {
      const [config, edge] = args;
      const problem = canaryAuthProblem(json(config), `http://${json(edge).edge.endpoint}:5000/v3`);
      process.stdout.write(`${problem ?? 'the canary authenticates at the edge'}\n`);
      return problem ? 1 : 0;
    }
    case 'image': {
      const [file, outputs] = args;
      const expected = inventoryOf(json(outputs)).imageChecksum;
      const actual = createHash('md5').update(readFileSync(file)).digest('hex');
      const problems = expected === actual ? [] : [`image data ${actual} -> expected ${expected}`];
      process.stdout.write(problems.length ? `canary: ${problems[0]}\n` : `the canary image's data is intact (${actual})\n`);
      process.stdout.write(resultLine({ check: 'image', problems }));
      return problems.length ? 1 : 0;
    }
    case 'image-id': {
      const inventory = inventoryOf(json(args[0]));
      process.stdout.write(`${args[1] === 'multibyte' ? inventory.multibyte?.image : inventory.image}\n`);
      return 0;
    }
    case 'tempest': {
      const [file, tag] = args;
      const totals = junitTotals(readFileSync(file, 'utf8'));
      const problems = tempestProblems(totals);
      process.stdout.write(
        `Tempest ${tag}: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n` +
          totals.failedTests.map((t) => `failed: ${t}\n`).join(''),
      );
      process.stdout.write(resultLine({ check: 'tempest', tag, ...totals, failedTests: totals.failedTests.slice(0, 50), problems }));
      return problems.length ? 1 : 0;
    }
    case 'network-id': {
      const id = inventoryOf(json(args[0])).networks?.[args[1]];
      if (!id) {
        process.stderr.write(`no canary network ${args[1]} in ${args[0]}\n`);
        return 1;
      }
      process.stdout.write(`${id}\n`);
      return 0;
    }
    case 'probe': {
      const problems = probeProblems(json(args[0]));
      process.stdout.write(problems.length ? problems.map((p) => `probe: ${p}\n`).join('') : 'the new server is ACTIVE with its address\n');
      return problems.length ? 1 : 0;
    }
    case 'names': {
      const [dir, ...pairs] = args;
      const expected = Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
      const kinds = Object.keys(NAMED_KINDS) as NamedKind[];
      const read = (kind: NamedKind, what: 'show' | 'list') => json(join(dir, `${kind}-${what}.json`));
      const problems = nameProblems(
        expected as Record<NamedKind, string>,
        Object.fromEntries(kinds.map((k) => [k, read(k, 'show')])) as Record<NamedKind, Record<string, unknown>>,
        Object.fromEntries(kinds.map((k) => [k, read(k, 'list')])) as Record<NamedKind, Record<string, unknown>[]>,
      );
      problems.forEach((p) => process.stdout.write(`names: ${p}\n`));
      process.stdout.write(problems.length ? `${problems.length} name problem(s)\n` : `every multibyte name is shown and listed as made\n`);
      process.stdout.write(resultLine({ check: 'names', problems }));
      return problems.length ? 1 : 0;
    }
    case 'shelve': {
      const [server, during, after] = args;
      const problems = shelveProblems(server, json(during), json(after));
      process.stdout.write(problems.length ? problems.map((p) => `shelve: ${p}\n`).join('') : `${server}: one shelved image, none after\n`);
      process.stdout.write(resultLine({ check: 'shelve', server, problems }));
      return problems.length ? 1 : 0;
    }
    case 'tenant-view': {
      // +server=NAME must be listed, -server=NAME must not (the same for network).
      const [project, servers, networks, ...marks] = args;
      const names = (sign: string, kind: string) =>
        marks.filter((m) => m.startsWith(`${sign}${kind}=`)).map((m) => m.slice(kind.length + 2));
      const view = {
        own: { servers: names('+', 'server'), networks: names('+', 'network') },
        foreign: { servers: names('-', 'server'), networks: names('-', 'network') },
      };
      const problems = tenantViewProblems(project, { servers: json(servers), networks: json(networks) }, view);
      problems.forEach((p) => process.stdout.write(`tenant-view: ${p}\n`));
      if (problems.length === 0) process.stdout.write(`${project}: lists its own servers and networks, and no other project's\n`);
      process.stdout.write(resultLine({ check: 'tenant-view', project, problems }));
      return problems.length ? 1 : 0;
    }
    case 'server-id':
    case 'project-id': {
      const inventory = inventoryOf(json(args[0]));
      const id = command === 'server-id' ? inventory.servers?.[args[1]]?.id : inventory.projects?.[args[1]];
      if (!id) {
        process.stderr.write(`no canary ${command.replace('-id', '')} ${args[1]} in ${args[0]}\n`);
        return 1;
      }
      process.stdout.write(`${id}\n`);
      return 0;
    }
    case 'endpoint':
      process.stdout.write(`${json(args[0]).edge.endpoint}\n`);
      return 0;
    default:
      process.stderr.write(
        'usage: checks-cli.ts inventory|logs|swift-parity|swift-accounts|flavors|canary-auth|image|image-id|network-id|probe|endpoint|names|shelve|server-id|project-id|tenant-view|tempest ...\n',
      );
      return 2;
  }
}

process.exitCode = main(process.argv.slice(2));

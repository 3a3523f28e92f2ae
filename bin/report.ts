/**
 * npm run report -- [--profile FILE] [--target T] [--target-config FILE] [--rehearsal DIR [DIR…]] --out DIR [--screenshot FILE]
 * Writes the rehearsal report: index.html (self-contained), report.md and its SVG figures.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../profile/errors';
import { loadProfile } from '../profile/load';
import { oneToOneCost } from '../plan/plan';
import { reportModel } from '../report/model';
import { priceList } from '../targets/facts';
import { loadRehearsal } from '../report/rehearsal-log';
import { renderReport } from '../report/render';
import { COMMON_OPTIONS, contextLine, inputsFrom, parseArgs, planFrom, runCli } from './cli';

const USAGE = `usage: npm run report -- --out DIR [options]

Writes the report operators show their organisation: the fidelity table, the cost
(per hour, per rehearsal, against a one-to-one clone), the topology, and for each
rehearsal given its downtime windows, database hops, Swift copies, switches, checks
and a timing chart. DIR gets index.html (one self-contained file), report.md and the
SVG figures report.md shows.

Options:
  --profile FILE          production profile (default: STAGING_PROFILE, else the reference)
  --target aws|openstack  target cloud (default: STAGING_TARGET, else aws)
  --target-config FILE    target config (default: STAGING_TARGET_CONFIG, else the target's own)
  --rehearsal DIR [DIR…]  report folders of executed rehearsals (npm run rehearse -- --execute
                          --report DIR), in order; without any, the cost is an estimate
  --out DIR               where the report goes (required)
  --screenshot FILE.png   also open the page in headless Chromium and save a screenshot
  -h, --help              this text

Environment: STAGING_PROFILE, STAGING_TARGET, STAGING_TARGET_CONFIG, STAGING_CHROMIUM.
Exit status: 0 written, 2 bad input (one line per problem: file, field, reason).`;

/** Whole or not at all: each file written beside its place, then renamed. */
function writeAll(dir: string, files: Readonly<Record<string, string | undefined>>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    if (text === undefined) continue;
    const partial = join(dir, `.${name}.partial`);
    writeFileSync(partial, text);
    renameSync(partial, join(dir, name));
  }
}

runCli(async () => {
  const { values, positionals } = parseArgs({
    options: {
      ...COMMON_OPTIONS,
      rehearsal: { type: 'string', multiple: true },
      out: { type: 'string' },
      screenshot: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const dirs = [...(values.rehearsal ?? []), ...positionals];
  if (positionals.length > 0 && !values.rehearsal) {
    throw new InputError('command line', positionals[0], 'is not an option: give rehearsal folders after --rehearsal');
  }
  if (!values.out) throw new InputError('command line', '--out', 'is required: the folder the report is written to');
  if (values.screenshot !== undefined && !values.screenshot.endsWith('.png')) {
    throw new InputError('command line', '--screenshot', `'${values.screenshot}' must name a .png file`);
  }
  const inputs = inputsFrom(values);
  const { plan, target } = planFrom(inputs);
  const profile = loadProfile(inputs.profileFile);
  const rehearsals = dirs.map((dir, i) => loadRehearsal(dir, `rehearsal ${i + 1}`));
  const model = reportModel({ plan, profile, oneToOne: oneToOneCost(profile, target), prices: priceList(target), rehearsals });
  const rendered = renderReport(model, plan);
  process.stderr.write(`${contextLine(plan, inputs, target)}\n`);
  writeAll(values.out, rendered);
  process.stdout.write(`${join(values.out, 'index.html')}\n${join(values.out, 'report.md')}\n`);
  if (values.screenshot) {
    const { visitPage } = await import('../report/browser');
    const visit = await visitPage(join(values.out, 'index.html'), values.screenshot);
    for (const problem of [...visit.consoleErrors, ...visit.pageErrors, ...visit.requests.map((r) => `request: ${r}`)]) {
      process.stderr.write(`page: ${problem}\n`);
    }
    process.stdout.write(`${values.screenshot}\n`);
  }
});

/**
 * npm run plan -- [--profile FILE] [--target aws|openstack] [--target-config FILE] [--json]
 * Prints the staging plan: sides, cells, ring, nodes per role, fidelity table, cost.
 */
import { COMMON_OPTIONS, contextLine, inputsFrom, parseArgs, planFrom, runCli } from './cli';
import { renderPlan } from '../plan/report';

const USAGE = `usage: npm run plan -- [options]

The staging plan of a production profile on a target cloud: sides, cells, Swift rings,
nodes, fidelity (what is kept, scaled, emulated or dropped, and why) and cost.

Options:
  --profile FILE          production profile (default: STAGING_PROFILE, else the reference)
  --target aws|openstack  target cloud (default: STAGING_TARGET, else aws)
  --target-config FILE    target config (default: STAGING_TARGET_CONFIG, else the target's own)
  --json                  the whole plan as JSON, alone on stdout
  --wide                  tables at their full width (default: the terminal's, else 120 columns)
  -h, --help              this text

Environment: STAGING_PROFILE, STAGING_TARGET, STAGING_TARGET_CONFIG, STAGING_ACTIVE_SIDE.
Exit status: 0 planned, 2 bad input (one line per problem: file, field, reason).`;

runCli(() => {
  const { values } = parseArgs({ options: { ...COMMON_OPTIONS, json: { type: 'boolean' }, wide: { type: 'boolean' } }, strict: true });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const inputs = inputsFrom(values);
  const { plan, target } = planFrom(inputs, process.env.STAGING_ACTIVE_SIDE);
  // --json writes only JSON to stdout.
  process.stdout.write(
    values.json
      ? JSON.stringify(plan, null, 2) + '\n'
      : `${contextLine(plan, inputs, target)}\n\n${renderPlan(plan, values.wide ? Infinity : (process.stdout.columns ?? 120))}`,
  );
});

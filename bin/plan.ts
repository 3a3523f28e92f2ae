/**
 * npm run plan -- [--profile FILE] [--target aws|openstack] [--target-config FILE] [--json]
 * Prints the staging plan: sides, cells, ring, nodes per role, fidelity table, cost.
 */
import { COMMON_OPTIONS, contextLine, inputsFrom, parseArgs, planFrom, runCli } from './cli';
import { renderPlan } from '../plan/report';

const USAGE = `usage: npm run plan -- [--profile FILE] [--target aws|openstack] [--target-config FILE] [--json]`;

runCli(() => {
  const { values } = parseArgs({ options: { ...COMMON_OPTIONS, json: { type: 'boolean' } }, strict: true });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const inputs = inputsFrom(values);
  const { plan, target } = planFrom(inputs, process.env.STAGING_ACTIVE_SIDE);
  // --json writes only JSON to stdout.
  process.stdout.write(values.json ? JSON.stringify(plan, null, 2) + '\n' : `${contextLine(plan, inputs, target)}\n\n${renderPlan(plan)}`);
});

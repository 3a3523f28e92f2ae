/**
 * npm run stacks -- deploy|plan|apply-plan|destroy STACK... [options] | output STACK... | drift STACK... | forget STACK ADDRESS...
 * Terraform on the synthesized stacks (cdktf.out, or $CDKTF_OUTDIR), in parallel
 * where their dependencies allow; every apply is of a saved plan whose counts are
 * printed and checked first.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../profile/errors';
import { readSynthContext } from '../deploy/context';
import { forgetResources, runStacks, stackDrift, stackOutputs, StacksInputError, type StacksAction } from '../deploy/stacks';
import { parseArgs, runCli } from './command';

const ACTIONS: readonly StacksAction[] = ['deploy', 'plan', 'apply-plan', 'destroy'];

const HELP = `usage: npm run stacks -- ACTION STACK... [options]

Actions:
  deploy STACK...       plan, check and apply each stack (a plan that destroys anything is refused
                        unless --allow-destroy)
  plan STACK...         plan and check each stack, keeping the plan in --plans DIR/<stack>.tfplan
  apply-plan STACK...   apply the plans kept by \`plan\` (at a switch: prepared before the API closed)
  destroy STACK...      destroy each stack, dependents first ('*': every stack)
  output STACK...       the stacks' outputs as JSON, { stack: { output: value } } (--out FILE, or stdout)
  drift STACK...        read every resource back from its API; exit 1 naming each one changed or
                        gone outside Terraform (the canary's live check)
  forget STACK ADDR...  take resources out of a stack's state, leaving them standing (what the
                        teardown does first with keepBackups: true)

Options:
  --plans DIR           where saved plans are kept (plan, apply-plan)
  --var NAME=VALUE      a Terraform variable (e.g. active_side=new for the edge); repeatable
  --allow-destroy       deploy or plan even if the plan destroys or replaces resources
  --only-update TYPES   refuse a plan that does anything but update resources of these types
                        (comma-separated), e.g. aws_lb_listener for a cut-over
  --timings FILE        append each stack's action, status, seconds and plan counts (JSON)
  --log-dir DIR         keep each stack's whole Terraform output in DIR/<stack>.<action>.log
  --out FILE            where \`output\` writes
  -h, --help            this text

Environment:
  CDKTF_OUTDIR          the synthesized output (default cdktf.out)
  TF_CLI_CONFIG_FILE    Terraform's CLI configuration (provider mirrors), as Terraform reads it

Exit status: 0 done, 1 Terraform failed, 2 bad input, 3 a plan was refused.`;

runCli(async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    strict: true,
    options: {
      plans: { type: 'string' },
      var: { type: 'string', multiple: true },
      'allow-destroy': { type: 'boolean' },
      'only-update': { type: 'string' },
      timings: { type: 'string' },
      'log-dir': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return;
  }
  const [action, ...stacks] = positionals;
  const all = [...ACTIONS, 'output', 'forget', 'drift'];
  if (!all.includes(action)) {
    throw new InputError('npm run stacks', 'action', `'${action ?? ''}' is not an action; use one of ${all.join(', ')}`);
  }
  if (stacks.length === 0) throw new InputError('npm run stacks', 'stacks', 'name at least one stack (or * for all)');
  const outdir = process.env.CDKTF_OUTDIR ?? 'cdktf.out';
  if (action === 'drift') {
    const found = await inputErrors(() => stackDrift(outdir, stacks));
    for (const [stack, drifts] of Object.entries(found)) {
      for (const d of drifts) process.stdout.write(`${stack.padEnd(12)} changed outside Terraform (${d.action}): ${d.address}\n`);
      if (drifts.length === 0) process.stdout.write(`${stack.padEnd(12)} every resource as recorded\n`);
    }
    if (Object.values(found).some((d) => d.length > 0)) process.exitCode = 1;
    return;
  }
  if (action === 'forget') {
    const [stack, ...addresses] = stacks;
    if (addresses.length === 0)
      throw new InputError('npm run stacks', 'addresses', `name the resources of ${stack} to take out of its state`);
    await inputErrors(() => forgetResources(outdir, stack, addresses));
    return;
  }
  if (action === 'output') {
    const json = JSON.stringify(await inputErrors(() => stackOutputs(outdir, stacks)), null, 2) + '\n';
    if (values.out) writeFileSync(values.out, json);
    else process.stdout.write(json);
    return;
  }
  const context = readSynthContext(outdir);
  if (context) {
    process.stdout.write(context.line + '\n');
    // Building (not planning, not destroying) a cloud of the default profile is refused: it must be asked for.
    if ((action === 'deploy' || action === 'apply-plan') && !context.profileNamed) {
      throw new InputError(
        outdir,
        'profile',
        `was synthesized from the default profile (${context.profile}: ${context.perHour.toFixed(2)} ${context.currency} per hour) without naming it; ` +
          'synthesize again with STAGING_PROFILE=FILE (your production), or STAGING_PROFILE=reference to build the reference cloud',
      );
    }
  }
  for (const v of values.var ?? []) {
    if (!/^\w+=/.test(v)) throw new InputError('--var', 'var', `'${v}' is not NAME=VALUE`);
  }
  const destroying = action === 'destroy';
  const results = await inputErrors(() =>
    runStacks({
      action: action as StacksAction,
      stacks,
      outdir,
      vars: values.var,
      plans: values.plans,
      logDir: values['log-dir'],
      expect: {
        destroy: destroying ? 'all' : values['allow-destroy'] ? 'any' : 'none',
        ...(values['only-update'] ? { onlyUpdate: values['only-update'].split(',') } : {}),
      },
    }),
  );
  if (values.timings) {
    const before = existsSync(values.timings) ? (JSON.parse(readFileSync(values.timings, 'utf8')) as unknown[]) : [];
    writeFileSync(values.timings, JSON.stringify([...before, ...results], null, 2) + '\n');
  }
  for (const r of results) {
    process.stdout.write(`${r.stack.padEnd(12)} ${action} ${r.status} in ${r.seconds.toFixed(1)} s${r.reason ? ` (${r.reason})` : ''}\n`);
  }
  if (results.some((r) => r.status === 'refused')) process.exitCode = 3;
  else if (results.some((r) => r.status !== 'ok')) process.exitCode = 1;
});

/** The stacks' own input errors (no synthesized output, an unknown stack) as the command line reports them. */
async function inputErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof StacksInputError) throw new InputError('npm run stacks', 'stacks', e.message);
    throw e;
  }
}

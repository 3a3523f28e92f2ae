/**
 * npm run rehearse -- [--profile FILE] [--target aws|openstack] [--target-config FILE]
 *                     [--execute] [--report DIR] [--only PHASE | --through PHASE] [--from STEP] [--yes] …  (--help lists them)
 * The upgrade rehearsal: deploy, seed canaries, upgrade, verify, roll back, verify,
 * upgrade again, verify, tear down. Prints the steps and their commands (dry run)
 * unless --execute is given; then runs them, timing each, stopping at the first
 * failure, and writes report.json and report.md into the report directory.
 */
import { existsSync, mkdirSync, readdirSync, readSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadProfile } from '../profile/load';
import { InputError } from '../profile/errors';
import { runbookOptionsFor } from '../runbook/options';
import { renderReport } from '../runbook/report';
import { runSteps, selectSteps, writeReport } from '../runbook/run';
import { rehearsalSteps } from '../runbook/steps';
import { shQuote } from '../assets/shell';
import { PHASES } from '../runbook/types';
import { COMMON_OPTIONS, contextLine, inputsFrom, parseArgs, planFrom, runCli } from './cli';

const HELP = `usage: npm run rehearse -- [options]

Prints the upgrade rehearsal step by step (a dry run: nothing is executed), or runs it
with --execute: deploy, seed, upgrade-1, verify, rollback, verify, upgrade-2 (the new
side rebuilt), verify, teardown. Each step is timed; its output is kept in the report
folder's logs/, and the report is rewritten after every step.

Options:
  --profile FILE          production profile (default: STAGING_PROFILE, else the reference, which
                          --execute builds only when named: --profile reference)
  --target aws|openstack  target cloud (default: STAGING_TARGET, else aws)
  --target-config FILE    target config (default: STAGING_TARGET_CONFIG, else the target's own)
  --execute               run the steps (without it: print them)
  --report DIR            report folder; a rerun merges into it (default with --execute:
                          <work-dir>/reports/rehearsal-N: a run from the first step begins the
                          next N, any other run continues the latest)
  --only PHASE            one phase: ${PHASES.join(', ')}
  --through PHASE         up to and including PHASE (its destructive steps included)
  --from STEP             resume at a step id (a failure prints the exact command to resume)
  --yes                   run the teardown without asking
  --ssh-user USER         SSH user with sudo on every node (default: centos)
  --work-dir DIR          where steps record what they make (default: rehearsal)
  --production-dumps DIR  production's dumps, <database key>.sql.gz
  -h, --help              this text

Destructive steps (destroying the new side before it is rebuilt, the teardown) run only
when their phase is asked for: the whole rehearsal, --only that phase, or --through it.

Environment: STAGING_PROFILE, STAGING_TARGET, STAGING_TARGET_CONFIG (as the options).
Exit status: 0 done, 1 a step failed or was refused, 2 bad input.`;

/** A yes/no question on the terminal; without one, no. */
function confirmOnTerminal(question: string): boolean {
  if (!process.stdin.isTTY) return false;
  process.stdout.write(question);
  const buffer = Buffer.alloc(64);
  const n = readSync(0, buffer, 0, buffer.length, null);
  return /^y(es)?$/i.test(buffer.toString('utf8', 0, n).trim());
}

/**
 * Where an executed rehearsal keeps its report when no --report is given: one folder per
 * rehearsal, so that rehearsals stay apart to be compared. A run from the first step
 * begins the next one; a resume or a later phase continues the latest.
 */
function rehearsalFolder(workDir: string, fromTheStart: boolean): string {
  const base = join(workDir, 'reports');
  const numbers = existsSync(base)
    ? readdirSync(base).flatMap((name) => {
        const m = /^rehearsal-(\d+)$/.exec(name);
        return m ? [Number(m[1])] : [];
      })
    : [];
  const latest = Math.max(0, ...numbers);
  return join(base, `rehearsal-${fromTheStart || latest === 0 ? latest + 1 : latest}`);
}

runCli(() => {
  const { values } = parseArgs({
    options: {
      ...COMMON_OPTIONS,
      execute: { type: 'boolean' },
      report: { type: 'string' },
      only: { type: 'string' },
      through: { type: 'string' },
      from: { type: 'string' },
      yes: { type: 'boolean' },
      'ssh-user': { type: 'string' },
      'work-dir': { type: 'string' },
      'production-dumps': { type: 'string' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return;
  }
  const inputs = inputsFrom(values);
  // The active side is the runbook's to set, per edge deploy: never taken from the environment here.
  const { plan, target } = planFrom(inputs);
  if (values.execute && !inputs.profileNamed) {
    throw new InputError(
      '--profile',
      'profile',
      `executing builds a cloud: name its profile (--profile FILE or STAGING_PROFILE), or --profile reference for the reference cloud (${plan.nodes.length} nodes, ${plan.cost.perHour.toFixed(2)} ${plan.cost.currency} per hour)`,
    );
  }
  const options = runbookOptionsFor(target, loadProfile(inputs.profileFile), {
    ...(values['ssh-user'] ? { sshUser: values['ssh-user'] } : {}),
    ...(values['work-dir'] ? { workDir: values['work-dir'] } : {}),
    ...(values['production-dumps'] ? { productionDumps: values['production-dumps'] } : {}),
  });
  const steps = rehearsalSteps(plan, options);
  let selected: ReturnType<typeof selectSteps>;
  try {
    selected = selectSteps(steps, values);
  } catch (e) {
    const flag = /^--\w+/.exec((e as Error).message)?.[0] ?? '--from';
    throw new InputError(flag, flag === '--from' ? 'step' : 'phase', (e as Error).message.replace(/^--\w+: /, ''));
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STAGING_PROFILE: resolve(inputs.profileFile),
    STAGING_TARGET: target.cloud,
    STAGING_TARGET_CONFIG: resolve(inputs.targetFile),
    // Terraform and cdktf ask HashiCorp's checkpoint service for news at every call: not from a rehearsal.
    CHECKPOINT_DISABLE: '1',
    // The target config's AWS profile reaches every command the steps run (aws, the secrets script), not only Terraform.
    ...('profile' in target && target.profile ? { AWS_PROFILE: target.profile } : {}),
    // And its endpoint (an emulator, an AWS-compatible cloud), which the secrets script passes to the AWS CLI.
    ...('endpoint' in target && target.endpoint ? { AWS_ENDPOINT_URL: target.endpoint } : {}),
  };
  delete env.STAGING_ACTIVE_SIDE;
  const dir = values.report ?? (values.execute ? rehearsalFolder(options.workDir, selected[0]?.id === steps[0].id) : undefined);
  // A whole rehearsal continues through its end, destructive steps included, as it was asked.
  const throughFlag = (through?: string): string[] => {
    const phase = values.only ? undefined : (through ?? values.through ?? (values.from ? undefined : PHASES[PHASES.length - 1]));
    return phase ? [`--through ${phase}`] : [];
  };
  // The command that continues exactly this run: same inputs, selection, folders and answers.
  const resumeCommand = (stepId: string, through?: string): string =>
    [
      'npm run rehearse -- --execute',
      `--profile ${shQuote(env.STAGING_PROFILE!)} --target ${target.cloud} --target-config ${shQuote(env.STAGING_TARGET_CONFIG!)}`,
      ...(dir ? [`--report ${shQuote(dir)}`] : []),
      ...(values.only ? [`--only ${values.only}`] : []),
      ...throughFlag(through),
      `--from ${stepId}`,
      ...(values['ssh-user'] ? [`--ssh-user ${shQuote(values['ssh-user'])}`] : []),
      ...(values['work-dir'] ? [`--work-dir ${shQuote(values['work-dir'])}`] : []),
      ...(values['production-dumps'] ? [`--production-dumps ${shQuote(values['production-dumps'])}`] : []),
      ...(values.yes ? ['--yes'] : []),
    ].join(' ');
  process.stdout.write(
    [
      contextLine(plan, inputs, target),
      `# Rehearsal ${plan.rehearsalId}: ${values.execute ? 'EXECUTING' : 'dry run (nothing is executed; add --execute to run)'}`,
      `export STAGING_PROFILE=${env.STAGING_PROFILE} STAGING_TARGET=${env.STAGING_TARGET} STAGING_TARGET_CONFIG=${env.STAGING_TARGET_CONFIG}${env.AWS_PROFILE && 'profile' in target && target.profile ? ` AWS_PROFILE=${target.profile}` : ''}`,
      `mkdir -p ${options.workDir}`,
      '',
    ].join('\n'),
  );
  if (values.execute) mkdirSync(options.workDir, { recursive: true });
  const report = runSteps(plan.rehearsalId, steps, {
    execute: values.execute === true,
    from: values.from,
    only: values.only,
    through: values.through,
    env,
    reportDir: dir,
    resumeCommand,
    yes: values.yes === true,
    confirm: confirmOnTerminal,
  });
  if (dir && !values.execute) writeReport(dir, report);
  process.stdout.write(
    `\n${values.execute ? '' : renderReport(report).split('\n').slice(0, 6).join('\n') + '\n'}${report.steps.length} step(s)${dir ? `; report in ${dir}` : ''}\n`,
  );
  if (values.execute && report.steps.some((t) => t.status === 'failed' || t.status === 'not run')) process.exitCode = 1;
});

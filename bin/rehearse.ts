/**
 * npm run rehearse -- [--profile FILE] [--target aws|openstack] [--target-config FILE]
 *                     [--execute] [--report DIR] [--only PHASE] [--from STEP] [--ssh-user USER] [--work-dir DIR] [--production-dumps DIR]
 * The upgrade rehearsal: deploy, seed canaries, upgrade, verify, roll back, verify,
 * upgrade again, verify, tear down. Prints the steps and their commands (dry run)
 * unless --execute is given; then runs them, timing each, stopping at the first
 * failure, and writes report.json and report.md into the report directory.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadProfile } from '../profile/load';
import { InputError } from '../profile/errors';
import { runbookOptionsFor } from '../runbook/options';
import { renderReport } from '../runbook/report';
import { runSteps, selectSteps, writeReport } from '../runbook/run';
import { rehearsalSteps } from '../runbook/steps';
import { COMMON_OPTIONS, inputsFrom, parseArgs, planFrom, runCli } from './cli';

const USAGE = `usage: npm run rehearse -- [--profile FILE] [--target aws|openstack] [--target-config FILE] [--execute] [--report DIR] [--only PHASE] [--from STEP] [--ssh-user USER] [--work-dir DIR] [--production-dumps DIR]`;

runCli(() => {
  const { values } = parseArgs({
    options: {
      ...COMMON_OPTIONS,
      execute: { type: 'boolean' },
      report: { type: 'string' },
      only: { type: 'string' },
      from: { type: 'string' },
      'ssh-user': { type: 'string' },
      'work-dir': { type: 'string' },
      'production-dumps': { type: 'string' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const inputs = inputsFrom(values);
  // The active side is the runbook's to set, per edge deploy: never taken from the environment here.
  const { plan, target } = planFrom(inputs);
  const options = runbookOptionsFor(target, loadProfile(inputs.profileFile), {
    ...(values['ssh-user'] ? { sshUser: values['ssh-user'] } : {}),
    ...(values['work-dir'] ? { workDir: values['work-dir'] } : {}),
    ...(values['production-dumps'] ? { productionDumps: values['production-dumps'] } : {}),
  });
  const steps = rehearsalSteps(plan, options);
  try {
    selectSteps(steps, values);
  } catch (e) {
    const flag = (e as Error).message.startsWith('--only') ? '--only' : '--from';
    throw new InputError(flag, flag === '--only' ? 'phase' : 'step', (e as Error).message.replace(/^--\w+: /, ''));
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STAGING_PROFILE: resolve(inputs.profileFile),
    STAGING_TARGET: target.cloud,
    STAGING_TARGET_CONFIG: resolve(inputs.targetFile),
  };
  delete env.STAGING_ACTIVE_SIDE;
  process.stdout.write(
    [
      `# Rehearsal ${plan.rehearsalId}: ${values.execute ? 'EXECUTING' : 'dry run (nothing is executed; add --execute to run)'}`,
      `export STAGING_PROFILE=${env.STAGING_PROFILE} STAGING_TARGET=${env.STAGING_TARGET} STAGING_TARGET_CONFIG=${env.STAGING_TARGET_CONFIG}`,
      `mkdir -p ${options.workDir}`,
      '',
    ].join('\n'),
  );
  if (values.execute) mkdirSync(options.workDir, { recursive: true });
  const report = runSteps(plan.rehearsalId, steps, { execute: values.execute === true, from: values.from, only: values.only, env });
  const dir = values.report ?? (values.execute ? `${options.workDir}/report` : undefined);
  if (dir) writeReport(dir, report);
  process.stdout.write(
    `\n${values.execute ? '' : renderReport(report).split('\n').slice(0, 6).join('\n') + '\n'}${report.steps.length} step(s)${dir ? `; report in ${dir}` : ''}\n`,
  );
  if (report.steps.some((t) => t.status === 'failed')) process.exitCode = 1;
});

/**
 * The rehearsal runner as an operator meets it: resume hints that continue exactly
 * the interrupted run, a report that survives interruption and resumes, destructive
 * steps that never run by surprise, progress and logs per step.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RehearsalReport } from '../runbook/report';
import { askedFor, runSteps } from '../runbook/run';
import type { Step } from '../runbook/types';
import { REFERENCE_PROFILE } from '../profile/load';
import { stepsFor } from './support/runbook';

const ROOT = join(__dirname, '..');
const steps = stepsFor('reference');

/** A runner that records commands and fails the listed ones. */
function runner(failing: readonly string[] = []) {
  const calls: string[] = [];
  const exec = (command: string, _env: NodeJS.ProcessEnv, log?: string) => {
    calls.push(command);
    if (log) writeFileSync(log, `output of ${command.slice(0, 40)}\n`, { flag: 'a' });
    return failing.includes(command) ? 5 : 0;
  };
  return { calls, exec };
}

const readReport = (dir: string): RehearsalReport => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));

test('the report is on disk after every step, each attempt with its log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'run-report-'));
  const seen: number[] = [];
  const { exec } = runner();
  const deploy = steps.filter((s) => s.phase === 'deploy');
  runSteps('r', steps, {
    execute: true,
    only: 'deploy',
    reportDir: dir,
    exec: (c, e, log) => {
      if (existsSync(join(dir, 'report.json'))) seen.push(readReport(dir).steps.filter((t) => t.status === 'ok').length);
      return exec(c, e, log);
    },
    write: () => undefined,
  });
  // Before the n-th step's first command ran, the report held the n-1 steps done.
  expect([...new Set(seen)]).toEqual(deploy.slice(1).map((_, i) => i + 1));
  const report = readReport(dir);
  expect(report.steps.map((t) => t.id)).toEqual(deploy.map((s) => s.id));
  const first = report.steps[0];
  expect(first.attempts).toHaveLength(1);
  expect(readFileSync(join(dir, first.attempts![0].log!), 'utf8')).toContain('output of');
});

test('a failed --only run prints a resume command that repeats the selection, and the resume merges into the report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'run-resume-'));
  const rollback = steps.filter((s) => s.phase === 'rollback');
  const failing = rollback[2];
  let out = '';
  const first = runner([failing.commands[0]]);
  runSteps('r', steps, {
    execute: true,
    only: 'rollback',
    reportDir: dir,
    exec: first.exec,
    write: (t) => (out += t),
    resumeCommand: (id) => `npm run rehearse -- --execute --only rollback --from ${id}`,
  });
  expect(out).toContain(
    `!! ${failing.id} failed (exit 5); resume with:\n   npm run rehearse -- --execute --only rollback --from ${failing.id}`,
  );
  expect(out).toMatch(new RegExp(`--- last lines of .*${failing.id}\\.1\\.log\\noutput of`));
  const before = readReport(dir);
  expect(before.steps.find((t) => t.id === failing.id)).toMatchObject({ status: 'failed', exitCode: 5 });

  // The resume: the same selection from the failed step, now passing.
  const second = runner();
  runSteps('r', steps, { execute: true, only: 'rollback', from: failing.id, reportDir: dir, exec: second.exec, write: () => undefined });
  expect(second.calls.length).toBe(rollback.slice(2).flatMap((s) => s.commands).length);
  const after = readReport(dir);
  expect(after.steps.map((t) => t.id)).toEqual(rollback.map((s) => s.id));
  // The steps done before the failure keep their first measurement; the failed one has both attempts.
  for (const done of rollback.slice(0, 2)) {
    expect(after.steps.find((t) => t.id === done.id)).toEqual(before.steps.find((t) => t.id === done.id));
  }
  const retried = after.steps.find((t) => t.id === failing.id)!;
  expect(retried.status).toBe('ok');
  expect(retried.attempts!.map((a) => [a.status, a.log])).toEqual([
    ['failed', `logs/${failing.id}.1.log`],
    ['ok', `logs/${failing.id}.2.log`],
  ]);
});

describe('destructive steps', () => {
  const destructive = steps.filter((s) => s.destructive).map((s) => s.id);

  test('are the new side destroyed before its rebuild and the teardown', () => {
    expect(destructive).toEqual(['upgrade-2.destroy-new', 'teardown.destroy']);
  });

  test('run only when their phase was asked for', () => {
    const at = (id: string): Step => steps.find((s) => s.id === id)!;
    expect(askedFor(at('upgrade-2.destroy-new'), {})).toBe(true);
    expect(askedFor(at('upgrade-2.destroy-new'), { only: 'upgrade-2' })).toBe(true);
    expect(askedFor(at('upgrade-2.destroy-new'), { from: 'rollback.edge' })).toBe(false);
    expect(askedFor(at('upgrade-2.destroy-new'), { from: 'rollback.edge', through: 'upgrade-2' })).toBe(true);
    expect(askedFor(at('teardown.destroy'), { from: 'rollback.edge', through: 'upgrade-2' })).toBe(false);
  });

  test('a bare --from stops before destroying anything, naming the command that would', () => {
    const { calls, exec } = runner();
    let out = '';
    const report = runSteps('r', steps, {
      execute: true,
      from: 'rollback.edge',
      exec,
      write: (t) => (out += t),
      resumeCommand: (id, through) => `RESUME --from ${id} --through ${through}`,
    });
    expect(calls.some((c) => /stacks -- destroy/.test(c))).toBe(false);
    expect(report.steps.find((t) => t.id === 'upgrade-2.destroy-new')!.status).toBe('not run');
    expect(out).toContain('!! upgrade-2.destroy-new destroys infrastructure and phase upgrade-2 was not asked for');
    expect(out).toContain('RESUME --from upgrade-2.destroy-new --through upgrade-2');
  });

  test('the teardown asks first, and without a yes destroys nothing', () => {
    const { calls, exec } = runner();
    const questions: string[] = [];
    let out = '';
    runSteps('r', steps, {
      execute: true,
      only: 'teardown',
      exec,
      write: (t) => (out += t),
      confirm: (q) => (questions.push(q), false),
    });
    expect(questions).toHaveLength(1);
    expect(calls).toEqual([]);
    expect(out).toContain('not confirmed (add --yes');
    const yes = runner();
    runSteps('r', steps, { execute: true, only: 'teardown', exec: yes.exec, write: () => undefined, yes: true });
    expect(yes.calls.some((c) => /stacks -- destroy '\*'/.test(c))).toBe(true);
  });
});

test('progress shows the step counter, the elapsed time and, from the first round, an estimate for the second', () => {
  let clock = 0;
  const now = () => new Date((clock += 1000));
  const dir = mkdtempSync(join(tmpdir(), 'run-progress-'));
  const { exec } = runner();
  runSteps('r', steps, { execute: true, only: 'upgrade-1', reportDir: dir, exec, now, write: () => undefined });
  let out = '';
  runSteps('r', steps, { execute: true, only: 'upgrade-2', reportDir: dir, exec, now, write: (t) => (out += t) });
  const round2 = steps.filter((s) => s.phase === 'upgrade-2');
  expect(out).toContain(`## [1/${round2.length}] ${round2[0].id} — ${round2[0].title}`);
  expect(out).toMatch(/elapsed, ~\dm\d\ds left/);
});

test('executing without a named profile is refused, naming the way to ask for the reference', () => {
  const result = spawnSync(process.execPath, ['-r', './bin/register.js', 'bin/rehearse.ts', '--execute'], {
    cwd: ROOT,
    env: { ...process.env, STAGING_PROFILE: '' },
    encoding: 'utf8',
  });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(
    /^error: --profile: profile: executing builds a cloud: .*--profile reference for the reference cloud \(\d+ nodes/,
  );
});

test('the command line prints a resume command that continues exactly the failed run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-resume-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  // Stand-ins for the tools the steps call: npm fails, so the first deploy step fails.
  for (const tool of ['npm', 'npx', 'ssh', 'scp', 'aws', 'openstack']) {
    writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*"\nexit ${tool === 'npm' ? 4 : 0}\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  const report = join(dir, 'report');
  const result = spawnSync(
    process.execPath,
    [
      '-r',
      './bin/register.js',
      'bin/rehearse.ts',
      '--execute',
      '--profile',
      'reference',
      '--only',
      'deploy',
      '--report',
      report,
      '--work-dir',
      join(dir, 'work'),
    ],
    { cwd: ROOT, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' },
  );
  expect(result.status).toBe(1);
  expect(result.stdout.split('\n')[0]).toMatch(/^# portal-reference-aws: profile .*reference\.yaml \(the reference\); target aws/);
  const first = steps.find((s) => s.phase === 'deploy')!;
  const hint = /resume with:\n {3}(.*)\n/.exec(result.stdout)?.[1];
  expect(hint).toBe(
    `npm run rehearse -- --execute --profile ${REFERENCE_PROFILE} --target aws ` +
      `--target-config ${join(ROOT, 'targets/aws/target.yaml')} --report ${report} --only deploy --from ${first.id} --work-dir ${join(dir, 'work')}`,
  );
  expect(readReport(report).steps[0]).toMatchObject({ id: first.id, status: 'failed', exitCode: 4 });
  expect(readFileSync(join(report, 'logs', `${first.id}.1.log`), 'utf8')).toContain('npm run synth');

  // The hint, run as printed (the tools now succeeding), finishes the deploy phase into the same report.
  writeFileSync(join(bin, 'npm'), '#!/bin/sh\necho "npm $*"\n');
  const resumed = spawnSync(process.execPath, ['-r', './bin/register.js', 'bin/rehearse.ts', ...hint!.split(' ').slice(4)], {
    cwd: ROOT,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    encoding: 'utf8',
  });
  const after = readReport(report);
  expect(after.steps.map((t) => t.id)).toEqual(steps.filter((s) => s.phase === 'deploy').map((s) => s.id));
  expect(after.steps[0].attempts!.map((a) => a.status)).toEqual(['failed', 'ok']);
  // It went on from there, until the secrets script the stand-in `npm run assets` did not render.
  const stoppedAt = after.steps.findIndex((t) => t.status !== 'ok');
  expect(after.steps[stoppedAt]).toMatchObject({ id: 'deploy.secrets', status: 'failed' });
  expect(stoppedAt).toBeGreaterThan(1);
  expect(resumed.status).toBe(1);
});

test("the target config's AWS profile reaches the commands the steps run, not only Terraform", () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-profile-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'npm'), '#!/bin/sh\necho "npm sees AWS_PROFILE=$AWS_PROFILE"\n');
  chmodSync(join(bin, 'npm'), 0o755);
  const config = join(dir, 'target.yaml');
  writeFileSync(
    config,
    readFileSync(join(ROOT, 'targets/aws/target.yaml'), 'utf8').replace(/^cloud: aws$/m, 'cloud: aws\nprofile: staging-account'),
  );
  const report = join(dir, 'report');
  const result = spawnSync(
    process.execPath,
    [
      '-r',
      './bin/register.js',
      'bin/rehearse.ts',
      '--execute',
      '--yes',
      '--profile',
      'reference',
      '--target-config',
      config,
      '--from',
      'deploy.synth',
      '--only',
      'deploy',
      '--report',
      report,
    ],
    { cwd: ROOT, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, AWS_PROFILE: '' }, encoding: 'utf8' },
  );
  expect(result.stdout).toContain('AWS_PROFILE=staging-account');
  expect(readFileSync(join(report, 'logs', 'deploy.synth.1.log'), 'utf8')).toBe('npm sees AWS_PROFILE=staging-account\n');
});

test('without --report each rehearsal gets its own folder: a run from the first step begins the next, a later phase continues the latest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-folders-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  // npm fails: every run stops at its first step, which is enough to see where it reports.
  for (const tool of ['npm', 'npx', 'ssh', 'scp', 'aws', 'openstack']) {
    writeFileSync(join(bin, tool), `#!/bin/sh\nexit ${tool === 'npm' ? 4 : 0}\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  const work = join(dir, 'work');
  const rehearse = (...args: string[]) =>
    spawnSync(
      process.execPath,
      ['-r', './bin/register.js', 'bin/rehearse.ts', '--execute', '--profile', 'reference', '--work-dir', work, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        encoding: 'utf8',
      },
    );
  const folders = () => readdirSync(join(work, 'reports')).sort();
  const firstStep = (folder: string) => readReport(join(work, 'reports', folder)).steps.find((t) => t.status === 'failed')?.id;
  expect(rehearse('--only', 'deploy').stdout).toContain(`--report ${join(work, 'reports', 'rehearsal-1')} `);
  expect(folders()).toEqual(['rehearsal-1']);
  rehearse('--only', 'seed');
  expect(folders()).toEqual(['rehearsal-1']);
  expect(firstStep('rehearsal-1')).toBe('deploy.synth');
  expect(readReport(join(work, 'reports', 'rehearsal-1')).steps.map((t) => t.phase)).toContain('seed');
  rehearse();
  expect(folders()).toEqual(['rehearsal-1', 'rehearsal-2']);
  rehearse('--from', 'seed.canary');
  expect(folders()).toEqual(['rehearsal-1', 'rehearsal-2']);
  expect(readReport(join(work, 'reports', 'rehearsal-2')).steps.find((t) => t.id === 'seed.canary')?.status).toBe('failed');
});

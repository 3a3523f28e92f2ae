/**
 * The Horizon check of runbook/horizon.ts, run by bash with the real curl against a
 * stand-in Horizon on loopback that answers as 2014.1 and 8.0.0 do (login form with
 * its CSRF token, redirects, project switch, header markup, error lists).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CANARY_USER } from '../plan/canary';
import { horizonCheckLines, horizonStep } from '../runbook/horizon';
import { DEFAULT_OPTIONS } from '../runbook/types';
import { PLANS } from './support/runbook';

const plan = PLANS.reference();
const projects = [...plan.canary.projects, plan.canary.multibyte.project];
const ids = projects.map((_, i) => `${i}0c0ffee${i}`);
const image = plan.canary.multibyte.image;

/** Starts the stand-in; resolves with its base URL once it listens. */
function horizon(version: string, config: object): Promise<{ base: string; child: ChildProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'horizon-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const child = spawn('python3', [join(__dirname, 'fixtures', 'horizon-standin.py'), version, join(dir, 'config.json')]);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout.once('data', (d) => resolve({ base: `http://127.0.0.1:${String(d).trim()}/dashboard`, child }));
  });
}

/** Runs the check's lines as the node does (bash, set -euo pipefail), with `python` being Debian's python3. */
function check(base: string, password: string) {
  const dir = mkdtempSync(join(tmpdir(), 'horizon-check-'));
  symlinkSync(spawnSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).stdout.trim(), join(dir, 'python'));
  writeFileSync(join(dir, 'secrets.env'), `LDAP_TEST_PASSWORD=other\n${password ? `CANARY_USER_PASSWORD=${password}\n` : ''}`);
  const script = ['set -euo pipefail', ...horizonCheckLines(CANARY_USER, projects, image)].join('\n');
  return spawnSync('bash', ['-c', script, 'check', base, join(dir, 'secrets.env'), ...ids], {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    encoding: 'utf8',
  });
}

const config = (broken = '') => ({
  user: CANARY_USER,
  password: 'pw0123abcd',
  projects: Object.fromEntries(ids.map((id, i) => [id, projects[i]])),
  images: ['canary-cirros', image],
  broken,
});

describe.each(['2014.1', '8.0.0'])('Horizon %s', (version) => {
  let running: ChildProcess[] = [];
  afterEach(() => {
    running.forEach((c) => c.kill());
    running = [];
  });
  const start = async (broken = '') => {
    const h = await horizon(version, config(broken));
    running.push(h.child);
    return h.base;
  };

  it('logs in with the CSRF token, switches to every canary project, the Japanese-named one too, and sees its image', async () => {
    const r = check(await start(), 'pw0123abcd');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const name of projects) expect(r.stdout).toContain(`switched to ${name}`);
    expect(r.stdout).toContain(`staging-check-result {"check":"horizon","user":"${CANARY_USER}","problems":[]}`);
  });

  it("fails on a refused login, with Horizon's own message", async () => {
    const r = check(await start(), 'wrong');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(version === '2014.1' ? 'Invalid user name or password.' : 'Invalid credentials.');
    expect(r.stdout).toMatch(/"problems":\["login refused: /);
  });

  it('says so when the secrets file has no password for the user (a rehearsal older than the check)', async () => {
    const r = check(await start(), '');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('horizon: no CANARY_USER_PASSWORD in the secrets file');
  });

  it('fails when a switch leaves the page on the old project (1.1.x only logs a failed switch)', async () => {
    const r = check(await start('switch'), 'pw0123abcd');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/horizon: switch to \S+: the page shows /);
  });
});

test('the step: the check on every Horizon node of the serving side', () => {
  const ctx = { plan, options: { ...DEFAULT_OPTIONS, logIgnoreFile: 'log-ignore.txt', packageArchives: {} } };
  const step = horizonStep(ctx, 'verify-rollback', 'old');
  const horizons = plan.nodes.filter((n) => n.side === 'old' && n.role === 'horizon');
  expect(step.commands).toHaveLength(horizons.length);
  horizons.forEach((n, i) => expect(step.commands[i]).toContain(`@${n.addresses.management} sudo bash -s -- http://127.0.0.1/dashboard`));
});

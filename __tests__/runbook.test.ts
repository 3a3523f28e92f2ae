/**
 * The rehearsal runbook: phase order, the Nova migration path of every cell
 * (reference and 24 cells), the dummy broker around it, a rollback that only
 * redeploys the edge and never migrates or touches the old side's databases,
 * the exact cut-over command, a dry run that executes nothing, and shellcheck.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfile, REFERENCE_PROFILE } from '../profile/load';
import { buildPlan } from '../plan/plan';
import { alertLoad, checkLogs, inventoryDiff, probeProblems, serverProblems } from '../runbook/checks';
import { canaryEnv } from '../runbook/canary';
import { databaseTargets } from '../runbook/databases';
import { flavorLoopLines, syncLines } from '../runbook/migration';
import { runSteps, selectSteps } from '../runbook/run';
import { DEFAULT_OPTIONS, kindOf, PHASES, type Step } from '../runbook/types';
import { novaServicesCheck } from '../runbook/verify';
import { planShape, target } from './support/shapes';
import { KEYSTONE_USERS } from '../plan/directory';
import type { StagingPlan } from '../plan/types';
import { SECRETS_FILE } from '../assets/secrets';
import { PLANS, stepsFor, stepsOf } from './support/runbook';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..');

const indexOf = (steps: Step[], id: string): number => {
  const i = steps.findIndex((s) => s.id === id);
  if (i < 0) throw new Error(`no step ${id}`);
  return i;
};

describe('phases', () => {
  const steps = stepsFor('reference');

  it('run deploy, seed, then upgrade / rollback / upgrade each followed by verify, teardown last', () => {
    const phases = steps.map((s) => s.phase).filter((p, i, all) => i === 0 || all[i - 1] !== p);
    expect(phases).toEqual([...PHASES]);
    expect(phases.map(kindOf)).toEqual(['deploy', 'seed', 'upgrade', 'verify', 'rollback', 'verify', 'upgrade', 'verify', 'teardown']);
    // The canary stack's providers log in as the canary user, at its teardown as at its deploy.
    expect(steps[steps.length - 1].commands).toEqual([
      `${canaryEnv({ plan: PLANS.reference(), options: { ...DEFAULT_OPTIONS, logIgnoreFile: '', packageArchives: {} } })} npm run stacks -- destroy '*' --timings rehearsal/stacks-timings.json --log-dir rehearsal/logs/stacks`,
    ]);
  });

  it('give every step commands and a unique id', () => {
    expect(new Set(steps.map((s) => s.id)).size).toBe(steps.length);
    for (const s of steps) expect(s.commands.length).toBeGreaterThan(0);
  });

  it('rebuild the new side before the second upgrade only', () => {
    expect(steps.filter((s) => s.commands.some((c) => c.includes('destroy hosts-new '))).map((s) => s.id)).toEqual([
      'upgrade-2.destroy-new',
    ]);
  });
});

describe.each(Object.keys(PLANS))('Nova migration of every cell (%s)', (name) => {
  const plan = PLANS[name]();
  const steps = stepsFor(name);
  const nova = databaseTargets(plan).filter((db) => db.service === 'nova');

  it('covers the API cell and every child cell', () => {
    expect(nova.map((db) => db.cell!.name).sort()).toEqual(plan.cells.map((c) => c.name).sort());
    if (name === '24 cells') expect(nova).toHaveLength(25);
  });

  it.each(['upgrade-1', 'upgrade-2'])(
    "%s: Kilo sync, migrate_flavor_data loop, Liberty sync, in that order, on the cell's new DB",
    (round) => {
      const kiloTools = indexOf(steps, `${round}.tools-kilo`);
      const libertyTools = indexOf(steps, `${round}.tools-liberty`);
      for (const db of nova) {
        const restore = indexOf(steps, `${round}.restore.${db.key}`);
        const kilo = indexOf(steps, `${round}.sync-kilo.${db.key}`);
        const flavors = indexOf(steps, `${round}.flavor-data.${db.key}`);
        const liberty = indexOf(steps, `${round}.sync-liberty.${db.key}`);
        expect([restore < kilo, kiloTools < kilo, kilo < flavors, flavors < libertyTools, libertyTools < liberty]).toEqual([
          true,
          true,
          true,
          true,
          true,
        ]);
        expect(steps[kilo].commands.join('\n')).toMatch(
          new RegExp(
            `nova:\\$NOVA_DB_PASSWORD@${db.address.new.replace(/\./g, '\\.')}/nova[\\s\\S]*nova-manage --config-file /etc/nova/migrate-${db.cell!.name}\\.conf db sync`,
          ),
        );
        const loop = steps[flavors].commands.join('\n');
        expect(loop).toMatch(/while :; do[\s\S]*migrate_flavor_data[\s\S]*\[ "\$matched" -eq 0 \] && break[\s\S]*done/);
        expect(loop).toContain(`/etc/nova/migrate-${db.cell!.name}.conf`);
      }
    },
  );

  it.each(['upgrade-1', 'upgrade-2'])('%s: the dummy RabbitMQ runs around the whole Nova migration', (round) => {
    const start = indexOf(steps, `${round}.dummy-rabbitmq-start`);
    const stop = indexOf(steps, `${round}.dummy-rabbitmq-stop`);
    const novaSteps = steps
      .map((s, i) => [s, i] as const)
      .filter(([s]) => s.phase === round && s.commands.some((c) => /nova-manage --config-file \/etc\/nova\/migrate-/.test(c)));
    expect(novaSteps.length).toBe(nova.length * 3);
    for (const [, i] of novaSteps) expect(start < i && i < stop).toBe(true);
    expect(steps[start].commands.join('\n')).toContain('/usr/local/sbin/staging-dummy-rabbit start');
    expect(steps[stop].commands.join('\n')).toContain('/usr/local/sbin/staging-dummy-rabbit stop');
  });

  it('never writes to an old-side database once production data is loaded (upgrades, rollback, verifies)', () => {
    const oldAddresses = new Set(databaseTargets(plan).map((db) => db.address.old));
    const writes =
      /db sync|db_sync|neutron-db-manage|migrate_flavor_data|DROP DATABASE|DELETE FROM|UPDATE endpoint|downgrade|\| MYSQL_PWD|gunzip/;
    const loading = steps.filter((s) => s.phase === 'deploy' && writes.test(s.commands.join('\n'))).map((s) => s.id);
    expect(loading).toEqual(['deploy.production-restore', 'deploy.production-catalog']);
    for (const step of steps.filter((s) => s.phase !== 'deploy')) {
      for (const command of step.commands.filter((c) => writes.test(c))) {
        for (const address of oldAddresses)
          expect({
            step: step.id,
            touchesOld: new RegExp(`@${address.replace(/\./g, '\\.')}[/ ]|-h ${address.replace(/\./g, '\\.')} `).test(command),
          }).toEqual({ step: step.id, touchesOld: false });
      }
    }
  });
});

describe('cut-over and rollback', () => {
  const steps = stepsFor('reference');
  const rollback = steps.filter((s) => s.phase === 'rollback');

  const edgeCommands = (list: readonly Step[]) => list.flatMap((s) => s.commands).filter((c) => /\bstacks -- \S+ edge\b/.test(c));

  it('each switch applies the plan prepared for it before the API closed, which may only update listeners', () => {
    for (const round of ['upgrade-1', 'upgrade-2']) {
      const ids = steps.map((s) => s.id);
      const prepare = steps[indexOf(steps, `${round}.prepare-cut-over`)];
      expect(prepare.commands).toEqual([
        `npm run stacks -- plan edge --var active_side=new --plans rehearsal/plans/${round}-cut-over --only-update aws_lb_listener`,
      ]);
      expect(ids.indexOf(`${round}.prepare-cut-over`)).toBeLessThan(ids.indexOf(`${round}.close-api`));
      expect(steps[indexOf(steps, `${round}.cut-over`)].commands).toEqual([
        `npm run stacks -- apply-plan edge --plans rehearsal/plans/${round}-cut-over`,
      ]);
    }
    // The first deploy builds the edge with the rest; afterwards only the switches touch it.
    expect(edgeCommands(steps.filter((s) => s.phase !== 'deploy'))).toHaveLength(6);
  });

  it('rollback switches only the edge, migrates nothing backwards and touches no database', () => {
    expect(edgeCommands(rollback)).toEqual([
      'npm run stacks -- plan edge --var active_side=old --plans rehearsal/plans/rollback --only-update aws_lb_listener',
      'npm run stacks -- apply-plan edge --plans rehearsal/plans/rollback',
    ]);
    expect(rollback.flatMap((s) => s.commands).filter((c) => /\bstacks -- (deploy|destroy)\b|cdktf/.test(c))).toEqual([]);
    for (const command of rollback.flatMap((s) => s.commands)) {
      expect(command).not.toMatch(/db sync|db_sync|db-manage|downgrade|mysql|migrate_flavor_data|DROP |DELETE /i);
    }
    const text = rollback.flatMap((s) => s.commands).join('\n');
    for (const db of databaseTargets(PLANS.reference())) expect(text).not.toContain(db.address.old);
  });

  it('is followed by a verify of the old side', () => {
    const verify = steps.filter((s) => s.phase === 'verify-rollback');
    expect(verify.map((s) => s.id)).toContain('verify-rollback.canary-inventory');
  });
});

describe('running', () => {
  const steps = stepsFor('reference');

  it('dry run calls nothing and records every step', () => {
    const exec = jest.fn(() => 0);
    const report = runSteps('r', steps, { execute: false, exec, write: () => undefined });
    expect(exec).not.toHaveBeenCalled();
    expect(report.steps.map((t) => t.id)).toEqual(steps.map((s) => s.id));
    expect(new Set(report.steps.map((t) => `${t.status}/${t.seconds}`))).toEqual(new Set(['dry-run/0']));
  });

  it('execute times each step, stops at the first failure and totals upgrade and rollback', () => {
    let clock = 0;
    const now = () => new Date((clock += 1000));
    const failing = indexOf(steps, 'rollback.edge');
    const calls: string[] = [];
    const rollBack = steps[failing].commands[0];
    const exec = (c: string) => (calls.push(c), c === rollBack ? 3 : 0);
    const report = runSteps('r', steps, { execute: true, exec, now, write: () => undefined });
    expect(report.steps[failing]).toMatchObject({ status: 'failed', exitCode: 3, failedCommand: 0 });
    expect(report.steps.slice(failing + 1).every((t) => t.status === 'not run')).toBe(true);
    expect(calls[calls.length - 1]).toBe(rollBack);
    expect(report.totals.upgradeSeconds['upgrade-1']).toBe(steps.filter((s) => s.phase === 'upgrade-1').length);
    expect(report.totals.rollbackSeconds).toBe(steps.filter((s) => s.phase === 'rollback').length);
  });

  it('--from and --only select steps, and reject unknown ones', () => {
    expect(selectSteps(steps, { only: 'rollback' }).map((s) => s.phase)).toEqual(
      steps.filter((s) => s.phase === 'rollback').map(() => 'rollback'),
    );
    expect(selectSteps(steps, { from: 'teardown.destroy' })).toHaveLength(1);
    expect(() => selectSteps(steps, { only: 'upgrade' })).toThrow(/not a phase/);
    expect(() => selectSteps(steps, { from: 'nope' })).toThrow(/no step/);
  });

  it('the command line in dry run executes no tool and writes a report of every step', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-'));
    const bin = join(dir, 'bin');
    const calls = join(dir, 'calls.log');
    mkdirSync(bin);
    for (const tool of ['npx', 'ssh', 'scp', 'aws', 'openstack', 'rsync', 'mysql', 'bash', 'sh']) {
      writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> ${calls}\n`);
      chmodSync(join(bin, tool), 0o755);
    }
    const report = join(dir, 'report');
    const result = spawnSync(process.execPath, ['-r', './bin/register.js', 'bin/rehearse.ts', '--report', report], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(existsSync(calls)).toBe(false);
    const json = JSON.parse(readFileSync(join(report, 'report.json'), 'utf8'));
    expect(json.mode).toBe('dry-run');
    expect(json.steps.map((t: { id: string }) => t.id)).toEqual(steps.map((s) => s.id));
    expect(readFileSync(join(report, 'report.md'), 'utf8')).toContain('| upgrade-1 | `upgrade-1.cut-over` |');
    expect(result.stdout).toContain('npm run stacks -- apply-plan edge --plans rehearsal/plans/upgrade-1-cut-over');
  });
});

describe('shellcheck', () => {
  const shellcheck = (script: string, extra: string[] = []): Promise<{ status: number | null; stdout: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn('shellcheck', ['-s', 'bash', ...extra, '-']);
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout }));
      child.stdin.end(script);
    });
  const heredocBodies = (script: string): string => {
    const out: string[] = [];
    let inside = false;
    for (const line of script.split('\n')) {
      if (line === 'REMOTE') inside = false;
      else if (inside) out.push(line);
      else if (line.endsWith("<<'REMOTE'")) inside = true;
    }
    return out.join('\n') + '\n';
  };
  const cases = [
    ['reference', 'aws'],
    ['reference', 'openstack'],
    ['24 cells', 'aws'],
  ] as const;

  it('passes on every command, and on every remote script, of the reference (AWS, OpenStack) and 24 cells', async () => {
    const checks = cases.flatMap(([name, cloud]) => {
      const plan = name === 'reference' ? buildPlan(loadProfile(REFERENCE_PROFILE), target(cloud)) : planShape(name, cloud).plan;
      const script =
        stepsOf(plan, cloud)
          .flatMap((s) => s.commands)
          .join('\n') + '\n';
      // The remote scripts source the node's secrets file, which shellcheck cannot follow. Those of
      // 24 cells come from the same code as the reference's, only more of them (5 s more of shellcheck).
      const remote = name === 'reference' ? [shellcheck(heredocBodies(script), ['-e', 'SC1091'])] : [];
      return [shellcheck(script), ...remote].map((p) => p.then((r) => ({ case: `${name}/${cloud}`, ...r })));
    });
    for (const result of await Promise.all(checks)) expect(result).toEqual({ case: result.case, status: 0, stdout: '' });
  });
});

describe('checks', () => {
  const inventory = {
    projects: { a: 'p1' },
    servers: { s1: { id: 'i1', cell: 'c1' }, s2: { id: 'i2', cell: 'c2' } },
    objects: { 'c/o': 'etag' },
  };

  it('find a lost or changed canary and a server that is not ACTIVE', () => {
    expect(inventoryDiff(inventory, inventory)).toEqual([]);
    const { s2: _gone, ...servers } = inventory.servers;
    expect(inventoryDiff(inventory, { ...inventory, servers, objects: { 'c/o': 'other' } })).toEqual([
      'objects.c/o: "etag" -> "other"',
      'servers.s2: {"id":"i2","cell":"c2"} -> undefined',
    ]);
    expect(
      serverProblems(inventory, [
        { ID: 'i1', Name: 's1', Status: 'ACTIVE', Networks: 'canary-a-net=192.168.100.3' },
        { ID: 'i2', Name: 's2', Status: 'SHUTOFF', Networks: 'canary-a-net=192.168.100.4' },
      ]),
    ).toEqual(['s2 (i2): SHUTOFF']);
  });

  it('find a canary server listed without its addresses, as `openstack server list` prints it (old and new clients)', () => {
    const listed = (networks: unknown) => [
      { ID: 'i1', Name: 's1', Status: 'ACTIVE', Networks: { 'canary-a-net': ['192.168.100.3'] } },
      { ID: 'i2', Name: 's2', Status: 'ACTIVE', Networks: networks },
    ];
    expect(serverProblems(inventory, listed('canary-b-net=192.168.101.3'))).toEqual([]);
    expect(serverProblems(inventory, listed({ 'canary-b-net': ['fd00::3'] }))).toEqual([]);
    for (const none of ['', {}, { 'canary-b-net': [] }, undefined]) {
      expect(serverProblems(inventory, listed(none))).toEqual(['s2 (i2): listed without its addresses']);
    }
  });

  it('report ignore patterns that stopped matching and new unmatched lines', () => {
    const patterns = ['^\\S+ \\S+ \\d+ INFO nova\\.osapi_compute\\.wsgi\\.server', 'never'];
    const old = ['2016-01-01 10:00:00.1 123 INFO nova.osapi_compute.wsgi.server [req-1] GET', 'noise 1'];
    const fresh = [
      '2016-09-01 10:00:00.1 123 INFO nova.osapi_compute.wsgi.server [req-1 abc] GET',
      'noise 2',
      'brand new 7',
      'brand new 8',
    ];
    // Liberty still logs this one with the same prefix: still matching.
    expect(checkLogs(patterns, old, fresh).stoppedMatching).toEqual([]);
    const changed = ['2016-09-01 10:00:00.1 123 INFO nova.api.openstack.wsgi [req-1] GET', 'brand new 7'];
    const f = checkLogs(patterns, old, changed);
    expect(f.stoppedMatching).toEqual([patterns[0]]);
    expect(f.neverMatched).toEqual(['never']);
    expect(f.newUnmatched.map((u) => u.count)).toEqual([1, 1]);
  });
});

describe('the directory stand-in', () => {
  test("no step makes a Keystone domain for it: the directory is the default domain's identity, granted roles after the restore", () => {
    const steps = stepsFor('reference');
    expect(steps.filter((s) => /\.directory-|domain create/.test(s.id + s.commands.join('\n'))).map((s) => s.id)).toEqual([]);
    expect(indexOf(steps, 'deploy.production-roles')).toBeGreaterThan(indexOf(steps, 'deploy.production-restore'));
    expect(indexOf(steps, 'deploy.production-roles')).toBeGreaterThan(indexOf(steps, 'deploy.production-start-old'));
    const none = stepsOf({ ...PLANS.reference(), keystone: {} }).map((s) => s.id);
    expect(none).toContain('deploy.production-passwords');
    expect(none).not.toContain('deploy.production-roles');
  });
});

describe("production's data in the old side", () => {
  const plan = PLANS.reference();
  const steps = stepsFor('reference');
  const ids = steps.map((s) => s.id);

  it('is checked, copied, restored for every database, and repointed, before the old cells are linked and anything is seeded', () => {
    const order = [
      'deploy.production-check',
      'deploy.production-copy',
      'deploy.production-stop-old',
      'deploy.production-restore',
      'deploy.production-catalog',
      'deploy.production-start-old',
      'deploy.production-roles',
      'deploy.cells-old',
    ];
    expect(order.map((id) => indexOf(steps, id))).toEqual([...order.map((id) => indexOf(steps, id))].sort((a, b) => a - b));
    expect(indexOf(steps, 'deploy.cells-old')).toBeLessThan(ids.findIndex((id) => id.startsWith('seed.')));
    const restore = steps[indexOf(steps, 'deploy.production-restore')].commands.join('\n');
    for (const db of databaseTargets(plan)) {
      expect(restore).toContain(
        `gunzip -c /srv/dumps/production/${db.key}.sql.gz | MYSQL_PWD="$${db.passwordSecret}" mysql -h ${db.address.old} -u ${db.name} ${db.name}`,
      );
    }
    expect(steps[indexOf(steps, 'deploy.production-check')].commands[0]).toContain(
      databaseTargets(plan)
        .map((db) => db.key)
        .join(' '),
    );
  });

  it('points each side catalog at the edge (public) and at its own nodes (internal, admin), the new side before it starts', () => {
    for (const [id, side] of [
      ['deploy.production-catalog', 'old'],
      ['upgrade-1.catalog-new', 'new'],
      ['upgrade-2.catalog-new', 'new'],
    ] as const) {
      const sql = steps[indexOf(steps, id)].commands.join('\n');
      const nova = plan.nodes.find((n) => n.side === side && n.role === 'nova-api')!.addresses.management;
      expect(sql).toContain(
        `CONCAT('http://EDGE:8774', SUBSTRING(e.url, LOCATE('/', e.url, 9))) WHERE s.type = 'compute' AND e.interface = 'public'`,
      );
      expect(sql).toContain(
        `CONCAT('http://${nova}:8774', SUBSTRING(e.url, LOCATE('/', e.url, 9))) WHERE s.type = 'compute' AND e.interface = 'internal'`,
      );
    }
    expect(indexOf(steps, 'upgrade-1.catalog-new')).toBeLessThan(indexOf(steps, 'upgrade-1.start-new'));
  });

  /**
   * Runs the Keystone users step's remote lines under bash against a stand-in of the v2
   * `keystone` CLI (fixtures/keystone-v2-standin.py) on production's restored projects.
   */
  function usersStep(
    id: string,
    p: StagingPlan,
    users: Record<string, string | null>,
    assignments: string[][],
    readOnly: boolean,
  ): { status: number | null; stderr: string; calls: string[]; state: any } {
    const dir = mkdtempSync(join(tmpdir(), 'keystone-users-'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'crudini'), '#!/bin/sh\necho admin-token\n', { mode: 0o755 });
    writeFileSync(join(bin, 'keystone'), `#!/bin/sh\nexec python3 ${join(ROOT, '__tests__/fixtures/keystone-v2-standin.py')} "$@"\n`, {
      mode: 0o755,
    });
    const secrets = Object.fromEntries(KEYSTONE_USERS.map((u) => [u.secret, `${u.user}-pw`]));
    writeFileSync(
      join(dir, 'secrets.env'),
      Object.entries(secrets)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
    const tenants = { admin: 'a1', services: 's1' };
    writeFileSync(
      join(dir, 'state.json'),
      JSON.stringify({ admin_token: 'admin-token', users, tenants, assignments, read_only: readOnly }),
    );
    const command = stepsOf(p).find((s) => s.id === id)!.commands[0];
    const body = /<<'REMOTE'\n([^]*)\nREMOTE$/.exec(command)![1].replace(SECRETS_FILE, join(dir, 'secrets.env'));
    const r = spawnSync('bash', ['-c', body], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { HOME: dir, PATH: `${bin}:${process.env.PATH}`, KEYSTONE_STATE: join(dir, 'state.json'), KEYSTONE_CALLS: join(dir, 'calls') },
    });
    return {
      status: r.status,
      stderr: r.stderr,
      calls: readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n'),
      state: JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')),
    };
  }
  const services = KEYSTONE_USERS.filter((u) => u.user !== 'admin');
  const productionGrants = [['admin', 'admin', 'admin'], ...services.map((u) => [u.user, 'services', 'admin'])];

  it("without a directory: gives production's admin and service users the staging's passwords, then logs each in", () => {
    const sql = { ...plan, keystone: {} };
    const production = Object.fromEntries(KEYSTONE_USERS.map((u) => [u.user, 'production-pw']));
    const r = usersStep('deploy.production-passwords', sql, production, productionGrants, false);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.state.users).toEqual(Object.fromEntries(KEYSTONE_USERS.map((u) => [u.user, `${u.user}-pw`])));
    expect(r.calls.filter((c) => c.endsWith('token-get'))).toHaveLength(KEYSTONE_USERS.length);
    // Production without one of the users: named, and the step stops.
    const { swift: _swift, ...missing } = production;
    const stale = usersStep('deploy.production-passwords', sql, missing, productionGrants, false);
    expect([stale.status, stale.stderr]).toEqual([1, "No user with a name or ID of 'swift' exists.\n"]);
  });

  it("with the directory: grants the directory's users their roles in production's projects once, logs each in, and changes no password", () => {
    // The directory's users, with the staging's passwords; production's assignments name production's own user ids.
    const directory = Object.fromEntries(KEYSTONE_USERS.map((u) => [u.user, `${u.user}-pw`]));
    const production = [
      ['9f2c-admin', 'admin', 'admin'],
      ['7d1e-nova', 'services', 'admin'],
    ];
    const first = usersStep('deploy.production-roles', plan, directory, production, true);
    expect([first.status, first.stderr]).toEqual([0, '']);
    expect(first.state.assignments).toEqual([...production, ...productionGrants]);
    expect(first.calls.filter((c) => c.includes('user-password-update'))).toEqual([]);
    expect(first.calls.filter((c) => c.endsWith('token-get'))).toHaveLength(KEYSTONE_USERS.length);
    // Run again (the step is safe to repeat): nothing granted twice, no 409.
    const again = usersStep('deploy.production-roles', plan, directory, [...production, ...productionGrants], true);
    expect([again.status, again.stderr]).toEqual([0, '']);
    expect(again.calls.filter((c) => c.includes('user-role-add'))).toEqual([]);
    // A user missing from the stand-in is named.
    const { swift: _swift, ...missing } = directory;
    const gone = usersStep('deploy.production-roles', plan, missing, production, true);
    expect([gone.status, gone.stderr]).toEqual([1, expect.stringContaining('user swift is not in the directory stand-in')]);
    // A wrong password in the stand-in's seed shows at the login, naming the user.
    const wrong = usersStep('deploy.production-roles', plan, { ...directory, glance: 'other' }, production, true);
    expect([wrong.status, wrong.stderr]).toEqual([1, expect.stringContaining('glance cannot log in to services')]);
  });
});

describe('compute nodes upgraded in place', () => {
  const plan = PLANS.reference();
  const steps = stepsFor('reference');
  it("are pointed at the new side's cell database and broker, Glance, Neutron and Keystone", () => {
    const upgrade = steps[indexOf(steps, 'upgrade-1.compute-upgrade')].commands.join('\n');
    const at = (role: string) => plan.nodes.find((n) => n.side === 'new' && n.role === role)!.addresses.management;
    expect(upgrade).toContain(`glance api_servers http://${at('glance')}:9292`);
    expect(upgrade).toContain(`neutron url http://${at('neutron-server')}:9696`);
    expect(upgrade).toContain(`keystone_authtoken auth_uri http://${at('keystone')}:5000/v2.0`);
    for (const cell of plan.cells.filter((c) => c.type === 'compute')) {
      const db = plan.nodes.find((n) => n.name === cell.database.new[0])!.addresses.management;
      expect(upgrade).toContain(`@${db}/nova"`);
    }
    const old = (role: string) => plan.nodes.find((n) => n.side === 'old' && n.role === role)!.addresses.management;
    for (const role of ['glance', 'neutron-server', 'keystone']) expect(upgrade).not.toContain(`http://${old(role)}:`);
  });
});

describe('alert load (runbook/checks.ts alertLoad)', () => {
  // As the releases log: oslo.log's "%(asctime)s.%(msecs)03d %(process)d %(levelname)s %(name)s", and Swift through syslog.
  const logs = {
    'new-nova-api-1': [
      '2016-09-01 10:00:01.123 2211 INFO nova.osapi_compute.wsgi.server [req-1 - - - - -] 10.0.0.1 "GET /v2/servers" status: 200',
      '2016-09-01 10:15:02.456 2211 WARNING nova.api.openstack [req-2 - - - - -] deprecated',
      '2016-09-01 10:59:59.000 2211 WARNING nova.api.openstack [req-3 - - - - -] deprecated',
      '2016-09-01 11:00:00.001 2211 WARNING nova.api.openstack [req-4 - - - - -] deprecated',
      '2016-09-01 10:20:00.001 2300 ERROR keystonemiddleware.auth_token [-] Bad response',
    ],
    'new-swift-r1z1-1': [
      'Sep  1 10:30:00 new-swift-r1z1-1 object-replicator: Object replication complete.',
      'Sep  1 10:31:00 new-swift-r1z1-1 object-server: 10.0.0.9 - - "PUT /d1/1/a/c/o" 201',
    ],
  };

  it('counts, per node, service and hour, the lines the ignore list lets through, busiest first', () => {
    const load = alertLoad(['nova\\.osapi_compute\\.wsgi\\.server'], logs);
    expect(load).toEqual([
      { node: 'new-nova-api-1', service: 'nova', hour: '2016-09-01 10', lines: 2 },
      { node: 'new-swift-r1z1-1', service: 'swift', hour: 'Sep 1 10', lines: 2 },
      { node: 'new-nova-api-1', service: 'keystonemiddleware', hour: '2016-09-01 10', lines: 1 },
      { node: 'new-nova-api-1', service: 'nova', hour: '2016-09-01 11', lines: 1 },
    ]);
    expect(alertLoad(['.'], logs)).toEqual([]);
  });
});

describe("Kilo's flavor loop against a stand-in nova-manage printing what 2015.1.0 prints", () => {
  const db = databaseTargets(PLANS.reference()).find((d) => d.service === 'nova' && d.cell?.type === 'compute')!;
  /** Runs the loop as onNode does (bash, set -euo pipefail); nova-manage prints the given lines, one per call, and exits with its code. */
  const loop = (outputs: readonly string[], exit = 0) => {
    const dir = mkdtempSync(join(tmpdir(), 'flavor-loop-'));
    writeFileSync(join(dir, 'outputs'), outputs.join('\n') + '\n');
    writeFileSync(
      join(dir, 'nova-manage'),
      `#!/bin/sh\nn=$(cat ${dir}/n 2>/dev/null || echo 0); n=$((n + 1)); echo $n > ${dir}/n\nsed -n "\${n}p" ${dir}/outputs\nexit ${exit}\n`,
    );
    chmodSync(join(dir, 'nova-manage'), 0o755);
    return spawnSync('bash', ['-c', ['set -euo pipefail', ...flavorLoopLines(db)].join('\n')], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      encoding: 'utf8',
    });
  };

  it('repeats until 0 matched', () => {
    const r = loop([
      '3 instances matched query, 2 completed',
      '1 instances matched query, 1 completed',
      '0 instances matched query, 0 completed',
    ]);
    expect([r.status, r.stdout.trim().split('\n').pop()]).toEqual([0, 'flavor data migrated in 3 passes']);
  });

  it('stops when a batch completes nothing, naming the remedy', () => {
    const r = loop(['2 instances matched query, 0 completed']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('2 match but none completed: stuck; instances with a task state or in RESIZED or RESCUED are skipped');
    expect(r.stderr).toContain('--force');
  });

  it("shows nova-manage's own error when it fails", () => {
    const r = loop(['CRITICAL nova [-] OperationalError: (OperationalError) (2003, "Can\'t connect to MySQL server")'], 1);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Can't connect to MySQL server");
    expect(r.stderr).toContain('migrate_flavor_data failed (pass 1)');
  });

  it('Kilo scans for NULL instance uuids before its sync', () => {
    const lines = syncLines(db, 'kilo');
    expect(lines[0]).toMatch(/nova-manage --config-file \S+ db null_instance_uuid_scan$/);
    expect(lines[1]).toMatch(/db sync$/);
    expect(syncLines(db, 'liberty').some((l) => l.includes('null_instance_uuid_scan'))).toBe(false);
  });
});

test("the compute rollback puts the old release's repositories back before it undoes the upgrade", () => {
  const command = stepsFor('reference').find((s) => s.id === 'rollback.compute')!.commands[0];
  const at = (text: string) => command.indexOf(text);
  expect(at('rm -f /etc/yum.repos.d/openstack-liberty.repo')).toBeGreaterThan(0);
  expect(at('rm -f /etc/yum.repos.d/openstack-liberty.repo')).toBeLessThan(at('yum clean all'));
  expect(at('-C / etc/yum.repos.d')).toBeLessThan(at('yum clean all'));
  expect(at('yum clean all')).toBeLessThan(at('yum -y history undo'));
  expect(at('yum -y history undo')).toBeLessThan(command.lastIndexOf('.tgz -C /\n'));
});

test('Keystone is started as its release runs it: the eventlet unit on Icehouse, httpd alone on Liberty', () => {
  const steps = stepsFor('reference');
  const keystoneCommand = (id: string) =>
    steps
      .find((s) => s.id === id)!
      .commands.find((c) =>
        c.includes(
          PLANS.reference().nodes.find((n) => n.name === `${id.includes('new') ? 'new' : 'old'}-keystone-1`)!.addresses.management!,
        ),
      )!;
  expect(keystoneCommand('upgrade-1.start-new')).toContain('services=(httpd)\n');
  expect(keystoneCommand('upgrade-1.start-new')).not.toContain('openstack-keystone');
  expect(keystoneCommand('deploy.production-start-old')).toContain('services=(openstack-keystone)\n');
});

describe("the Nova services check reads only the staging's own hosts (production's rows are restored too)", () => {
  const plan = PLANS.reference();
  const ctx = { plan, options: { ...DEFAULT_OPTIONS, logIgnoreFile: 'log-ignore.txt', packageArchives: {} } };
  // As 2014.1's ServiceCommands.list prints it: "%-16s %-36s %-16s %-10s %-5s %-10s".
  const row = (binary: string, host: string, state: string) =>
    `${binary.padEnd(16)} ${host.padEnd(36)} ${'internal'.padEnd(16)} ${'enabled'.padEnd(10)} ${state.padEnd(5)} 2016-09-01 10:00:00`;
  const check = (rows: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'nova-services-'));
    const list = ['Binary           Host                                 Zone             Status     State Updated_At', ...rows].join('\n');
    writeFileSync(join(dir, 'nova-manage'), `#!/bin/sh\ncat <<'LIST'\n${list}\nLIST\n`);
    chmodSync(join(dir, 'nova-manage'), 0o755);
    return spawnSync('bash', ['-c', `set -euo pipefail\n${novaServicesCheck(ctx, 'new')}`], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      encoding: 'utf8',
    });
  };
  const production = [row('nova-compute', 'prod-compute-0417.example.com', 'XXX'), row('nova-conductor', 'old-cell01-services-1', 'XXX')];

  it("passes with production's and the other side's dead rows, the staging's own up", () => {
    expect(
      check([
        ...production,
        row('nova-conductor', 'new-cell01-services-1', ':-)'),
        row('nova-compute', 'compute-cell01-1.portal-reference-aws.internal', ':-)'),
      ]).status,
    ).toBe(0);
  });

  it('fails on a dead service of its own hosts, naming it', () => {
    const r = check([...production, row('nova-compute', 'compute-cell01-1', 'XXX')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('dead: nova-compute on compute-cell01-1');
  });
});

test("Liberty's nova-compute reaches Neutron with an auth plugin, and the OVS agent keeps its bridge mappings", () => {
  const command = stepsFor('reference').find((s) => s.id === 'upgrade-1.compute-upgrade')!.commands[0];
  for (const key of [
    'auth_plugin password',
    'username neutron',
    'password "$NEUTRON_KS_PASSWORD"',
    'project_name services',
    'user_domain_id default',
  ])
    expect(command).toContain(`crudini --set /etc/nova/nova.conf neutron ${key}`);
  expect(command).not.toContain('neutron admin_auth_url');
  expect(command).toContain('crudini --set /etc/neutron/plugins/ml2/openvswitch_agent.ini ovs bridge_mappings "$v"');
  expect(command.indexOf('openvswitch_agent.ini')).toBeGreaterThan(command.indexOf('yum -y update'));
});

describe('a new server boots in every child cell after each switch (verify)', () => {
  it('one probe per child cell in every verify phase, deleted whatever happens', () => {
    const steps = stepsFor('reference');
    for (const phase of ['verify-upgrade-1', 'verify-rollback', 'verify-upgrade-2']) {
      const step = steps.find((s) => s.id === `${phase}.new-server`)!;
      expect(step.commands).toHaveLength(4);
      for (const [i, command] of step.commands.entries()) {
        expect(command).toContain(`--hint 'target_cell=api!cell0${i + 1}'`);
        // As the admin, on the admin's own shared network (the canary projects' networks are theirs).
        expect(command).toContain('network-id rehearsal/canary-projects.json tempest-shared');
        expect(command).toMatch(/^openstack --os-cloud staging-inside .* server create /m);
        expect(command).toMatch(
          /^set -e\ntrap '.* server delete --wait canary-probe-cell0\d-verify-[a-z0-9-]+ >\/dev\/null 2>&1 \|\| true' EXIT\n/,
        );
      }
    }
  });

  it('a probe that is not ACTIVE, or has no address, fails with its name', () => {
    expect(probeProblems({ name: 'p', status: 'ACTIVE', addresses: 'canary-a-net=192.168.100.7' })).toEqual([]);
    expect(probeProblems({ name: 'p', status: 'ACTIVE', addresses: { 'canary-a-net': ['192.168.100.7'] } })).toEqual([]);
    expect(probeProblems({ name: 'p', status: 'ERROR', fault: { message: 'No valid host was found.' }, addresses: '' })).toEqual([
      'p: ERROR ({"message":"No valid host was found."})',
      'p: no address',
    ]);
  });
});

test("the Swift copy carries the object servers' pending container updates (async_pending, per policy) with the data", () => {
  const step = stepsFor('reference').find((s) => s.id === 'upgrade-1.swift-copy-delta')!;
  const body = step.commands[0].split('\n').slice(2, -1).join('\n'); // the remote script, between its here-document lines
  const dir = mkdtempSync(join(tmpdir(), 'swift-copy-'));
  for (const d of ['d1/objects/1', 'd1/containers/2', 'd1/async_pending/abc', 'd1/async_pending-1/def', 'd2/objects/3']) {
    mkdirSync(join(dir, 'node', d), { recursive: true });
  }
  writeFileSync(join(dir, 'rsync'), `#!/bin/sh\necho "$*" | sed "s|${dir}/node|/srv/node|g" >> ${dir}/calls\n`);
  chmodSync(join(dir, 'rsync'), 0o755);
  const r = spawnSync('bash', ['-c', body.replaceAll('/srv/node', join(dir, 'node'))], {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  const target = body.match(/^target=(\S+)$/m)![1];
  // The order of the pending folders is the glob's, which depends on the locale.
  expect(readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n').sort()).toEqual(
    [
      `-aHX --numeric-ids --delete /srv/node/d1/containers/ ${target}::container/d1/containers/`,
      `-aHX --numeric-ids --delete /srv/node/d1/objects/ ${target}::object/d1/objects/`,
      `-aHX --numeric-ids --delete /srv/node/d1/async_pending/ ${target}::object/d1/async_pending/`,
      `-aHX --numeric-ids --delete /srv/node/d1/async_pending-1/ ${target}::object/d1/async_pending-1/`,
      `-aHX --numeric-ids --delete /srv/node/d2/objects/ ${target}::object/d2/objects/`,
    ].sort(),
  );
});

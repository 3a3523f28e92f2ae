/**
 * The installer (assets/puppet.ts): every node's role manifest declares only classes
 * and parameters that the Puppet modules of its release have, sets every parameter
 * those classes require, parses with Puppet's own parser, grants each database to its
 * own side's users only; the hand-off applies it until the services it needs are up,
 * and gives up with a reason.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handoffScript } from '../assets/handoff';
import { classesOf, MODULE_SETS, moduleSetOf, roleManifest, type ClassDeclaration, type ModuleSet } from '../assets/puppet';
import { addressOf } from '../assets/endpoints';
import type { NodeRole } from '../profile/schema';
import type { NodePlan } from '../plan/types';
import { planShape, SHAPES } from './support/shapes';
import fixture from './fixtures/puppet/classes.json';

interface ClassParameters {
  readonly file: string;
  readonly required: readonly string[];
  readonly optional: readonly string[];
}
const MODULES = fixture as Record<ModuleSet, { readonly source: string; readonly classes: Record<string, ClassParameters> }>;

/** What is wrong with a manifest's declarations, by the parameter rules of its module set. */
function problemsOf(set: ModuleSet, declarations: readonly ClassDeclaration[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { name, params } of declarations) {
    const known = MODULES[set].classes[name];
    if (seen.has(name)) problems.push(`${name} is declared twice (Puppet refuses a duplicate class declaration)`);
    seen.add(name);
    if (!known) {
      problems.push(`${name} is not a class of ${MODULES[set].source}`);
      continue;
    }
    for (const param of Object.keys(params))
      if (![...known.required, ...known.optional].includes(param)) problems.push(`${name} has no parameter ${param} (${known.file})`);
    for (const param of known.required) if (!(param in params)) problems.push(`${name} needs ${param} (${known.file})`);
  }
  return problems;
}

const SHAPE_PLANS = Object.keys(SHAPES).map((shape) => [shape, planShape(shape).plan] as const);
const puppetNodes = (nodes: readonly NodePlan[]) => nodes.filter((n) => classesOf(SHAPE_PLANS[0][1], n).length > 0);

describe("each release's module parameters", () => {
  test('the fixture holds both module sets, read at the tags the module table names', () => {
    for (const set of Object.keys(MODULE_SETS) as ModuleSet[]) expect(MODULES[set].source).toContain(`at tag ${MODULE_SETS[set].tag}`);
  });

  test.each(SHAPE_PLANS)('%s: every declared class and parameter exists in its release, every required one is set', (_, plan) => {
    const problems = plan.nodes.flatMap((node) => {
      const set = moduleSetOf(node.release);
      return set ? problemsOf(set, classesOf(plan, node)).map((p) => `${node.name}: ${p}`) : [];
    });
    expect(problems).toEqual([]);
  });

  test("the check fails on a parameter another release's module names, a missing required one, an unknown class", () => {
    // glance::api reads `sql_connection` in 2014.1's module and `database_connection` in 7.x's.
    expect(problemsOf('opm-2014.1', [{ name: 'glance::api', params: { keystone_password: 'x', database_connection: 'y' } }])).toEqual([
      'glance::api has no parameter database_connection (glance/manifests/api.pp)',
    ]);
    expect(problemsOf('opm-7', [{ name: 'nova::api', params: {} }])).toEqual(['nova::api needs admin_password (nova/manifests/api.pp)']);
    expect(problemsOf('opm-7', [{ name: 'nova::cert', params: {} }])).toEqual([
      'nova::cert is not a class of redhat-openstack/openstack-puppet-modules at tag 7.1.5',
    ]);
  });

  test('each side is built with its own release: Icehouse on the old side, Liberty on the new, and Keystone under httpd from Liberty', () => {
    const { plan } = planShape('reference');
    const keystone = (side: string) => plan.nodes.find((n) => n.role === 'keystone' && n.side === side)!;
    expect(moduleSetOf(keystone('old').release)).toBe('opm-2014.1');
    expect(moduleSetOf(keystone('new').release)).toBe('opm-7');
    const names = (side: string) => classesOf(plan, keystone(side)).map((c) => c.name);
    expect(names('old')).not.toContain('keystone::wsgi::apache');
    expect(names('new')).toContain('keystone::wsgi::apache');
    expect(classesOf(plan, keystone('new'))[0].params.service_name).toBe('httpd');
  });
});

describe('the manifests as Puppet reads them', () => {
  test("Puppet's parser accepts one manifest of every role on each side", () => {
    const { plan } = planShape('two swift regions');
    const dir = mkdtempSync(join(tmpdir(), 'manifests-'));
    try {
      const picked = new Map<string, NodePlan>();
      for (const node of puppetNodes(plan.nodes))
        if (!picked.has(`${node.role}/${node.side}`)) picked.set(`${node.role}/${node.side}`, node);
      const files = [...picked.values()].map((node) => {
        const file = join(dir, `${node.name}.pp`);
        writeFileSync(file, roleManifest(plan, node));
        return file;
      });
      // Twelve roles on each side, and the compute nodes both sides share.
      expect(files).toHaveLength(25);
      const run = spawnSync('puppet', ['parser', 'validate', '--color=false', ...files], {
        encoding: 'utf8',
        env: { ...process.env, HOME: dir },
      });
      expect(run.stderr + run.stdout).toBe('');
      expect(run.status).toBe(0);
      // The parser is not lenient: an unbalanced brace in a manifest is refused.
      writeFileSync(files[0], readFileSync(files[0], 'utf8').replace(/\n\}\n/, '\n'));
      expect(
        spawnSync('puppet', ['parser', 'validate', '--color=false', files[0]], { encoding: 'utf8', env: { ...process.env, HOME: dir } })
          .status,
      ).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a value with quotes or backslashes stays one Puppet string', () => {
    const { plan } = planShape('reference');
    const node = plan.nodes.find((n) => n.role === 'keystone')!;
    const text = roleManifest(plan, node);
    expect(text).not.toMatch(/\$\{|%\{/);
    expect(text).toContain("'{{KEYSTONE_ADMIN_TOKEN}}'");
  });
});

describe('least privilege in the manifests', () => {
  const { plan } = planShape('reference');
  const side = (n: NodePlan) => n.side;
  const addressesOf = (role: NodeRole, s: string, cell?: string) =>
    plan.nodes.filter((n) => n.role === role && n.side === s && (cell === undefined || n.cell === cell)).map((n) => addressOf(n));
  const toolbox = plan.nodes.filter((n) => n.role === 'migration-toolbox').map((n) => addressOf(n));

  test("each database is granted to its own side's service nodes and the migration toolbox, never to any host", () => {
    for (const db of plan.nodes.filter((n) => n.role === 'database' || n.role === 'cell-database')) {
      const grants = Object.fromEntries(
        classesOf(plan, db)
          .filter((c) => c.name.endsWith('::db::mysql'))
          .map((c) => [c.name, c.params.allowed_hosts]),
      );
      if (db.role === 'database') {
        expect(grants).toEqual({
          'keystone::db::mysql': [...addressesOf('keystone', side(db)), ...toolbox],
          'glance::db::mysql': [...addressesOf('glance', side(db)), ...toolbox],
          'neutron::db::mysql': [...addressesOf('neutron-server', side(db)), ...toolbox],
          'nova::db::mysql': [...addressesOf('nova-api', side(db)), ...toolbox],
        });
      } else {
        expect(grants).toEqual({ 'nova::db::mysql': [...addressesOf('cell-services', side(db), db.cell), ...toolbox] });
      }
      expect(roleManifest(plan, db)).not.toContain("'%'");
    }
  });

  test('databases and brokers listen on the management address only', () => {
    const db = plan.nodes.find((n) => n.role === 'cell-database')!;
    expect(roleManifest(plan, db)).toContain(`'bind_address' => '${addressOf(db)}'`);
    const mq = plan.nodes.find((n) => n.role === 'cell-rabbitmq')!;
    expect(classesOf(plan, mq)[0].params).toEqual(expect.objectContaining({ node_ip_address: addressOf(mq), delete_guest_user: true }));
  });

  test("Nova talks to its cell's broker; every Neutron agent to the API cell's, which its server uses", () => {
    const compute = plan.nodes.find((n) => n.role === 'compute' && n.cell === 'cell02')!;
    const params = (name: string) => classesOf(plan, compute).find((c) => c.name === name)!.params;
    const cellMq = addressesOf('cell-rabbitmq', 'old', 'cell02').map((a) => `${a}:5672`);
    const apiMq = addressesOf('rabbitmq', 'old').map((a) => `${a}:5672`);
    expect(params('nova').rabbit_hosts).toEqual(cellMq);
    expect(params('nova')).not.toHaveProperty('database_connection');
    expect(params('neutron').rabbit_hosts).toEqual(apiMq);
  });
});

describe('the hand-off applies the manifest until it succeeds', () => {
  const { plan } = planShape('reference');
  const node = plan.nodes.find((n) => n.role === 'glance')!;

  /** Runs the hand-off's puppet_apply function with a stand-in `puppet` that exits with each status in turn. */
  function applyWith(statuses: readonly number[], tries: number) {
    const dir = mkdtempSync(join(tmpdir(), 'puppet-apply-'));
    try {
      writeFileSync(join(dir, 'statuses'), statuses.join('\n') + '\n');
      writeFileSync(
        join(dir, 'puppet'),
        ['#!/bin/sh', `echo "$*" >> ${dir}/calls`, `status=$(head -n 1 ${dir}/statuses); sed -i 1d ${dir}/statuses`, 'exit "$status"'].join(
          '\n',
        ),
      );
      chmodSync(join(dir, 'puppet'), 0o755);
      const script = handoffScript(node, {
        mountPoints: [],
        placeholderFiles: [],
        novaFragments: [],
        restart: [],
        swiftDevices: [],
        configureCommand: 'true',
      });
      const functions = script.slice(script.indexOf('log() {'), script.indexOf('\n[ -e '));
      const run = spawnSync('bash', ['-c', `set -euo pipefail\n${functions}\npuppet_apply /modules /site.pp\necho applied`], {
        encoding: 'utf8',
        env: { PATH: `${dir}:/usr/bin:/bin`, PUPPET_TRIES: String(tries), PUPPET_WAIT: '0' },
      });
      const calls = readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
      return { ...run, calls };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('a run that fails while the database is still booting is repeated; changes (2) count as success', () => {
    const run = applyWith([4, 6, 2], 5);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('applied');
    expect(run.calls).toEqual(Array(3).fill('apply --detailed-exitcodes --modulepath /modules /site.pp'));
    expect(run.stderr).toContain('puppet apply exited 6 (try 2 of 5)');
  });

  test('a run that keeps failing stops the hand-off with the last status', () => {
    const run = applyWith([1, 4, 4, 4], 3);
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('applied');
    expect(run.calls).toHaveLength(3);
    expect(run.stderr).toContain('puppet apply failed 3 times, the last with status 4');
  });

  test("the node's user data applies its own manifest with its release's modules, after the secrets are filled", () => {
    const text = handoffScript(node, {
      mountPoints: [],
      placeholderFiles: ['/etc/openstack-staging/site.pp'],
      novaFragments: [],
      restart: [],
      swiftDevices: [],
      configureCommand: 'puppet_apply /usr/share/openstack-puppet/modules /etc/openstack-staging/site.pp',
    });
    expect(text.indexOf('\nfill_placeholders ')).toBeLessThan(text.indexOf('\npuppet_apply /usr/share'));
    expect(text).not.toContain('ssh-keygen');
  });
});

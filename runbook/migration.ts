/**
 * Procedure step 6, on the migration toolbox: restore the dumps into the new
 * side's empty databases, then migrate them with each release's own tools,
 * Kilo first (Liberty refuses a database Kilo has not migrated), then Liberty.
 * Two traps from production are steps of their own: Nova's flavor data must be
 * migrated in Kilo, repeated until nothing is left, before Liberty's `db sync`;
 * and in cells v1 the Nova tools save objects that message the cell's broker, so
 * a dummy RabbitMQ runs on the toolbox for the whole Nova migration. Only the
 * new side's addresses are ever written to.
 */
import { DUMMY_RABBIT_SCRIPT } from '../assets/toolbox';
import { SECRETS_FILE } from '../assets/secrets';
import type { Release } from '../profile/schema';
import { databaseTargets, type DatabaseTarget } from './databases';
import { dumpFile, mysqlAs, TOOLBOX } from './dumps';
import { onNode, type Context } from './remote';
import type { Phase, Step } from './types';

/** Packages whose management tools migrate each database, plus what the steps use. */
const TOOL_PACKAGES = [
  'openstack-keystone',
  'openstack-glance',
  'openstack-neutron',
  'openstack-neutron-ml2',
  'openstack-nova-common',
  'mariadb',
  'crudini',
  'rabbitmq-server',
];

/** Nova's per-cell configuration on the toolbox: the cell's new database, the local dummy broker. */
export const novaConf = (db: DatabaseTarget): string => `/etc/nova/migrate-${db.cell!.name}.conf`;

export const NEUTRON_DB_MANAGE =
  'neutron-db-manage --config-file /etc/neutron/neutron.conf --config-file /etc/neutron/plugins/ml2/ml2_conf.ini';

/** The toolbox carries every release's repository, disabled; this enables only `release`'s. */
function toolsStep(phase: Phase, round: string, release: Release, ctx: Context): Step {
  const yum = `yum -y --disablerepo='openstack-*' --enablerepo=openstack-${release}`;
  return {
    id: `${round}.tools-${release}`,
    phase,
    title: `Install the ${release} management tools on the toolbox`,
    where: TOOLBOX,
    commands: [
      onNode(ctx, TOOLBOX, [
        `${yum} install ${TOOL_PACKAGES.join(' ')}`,
        `${yum} update ${TOOL_PACKAGES.join(' ')}`,
        'rpm -q openstack-nova-common',
      ]),
    ],
    rollbackSafe: true,
  };
}

function restoreStep(ctx: Context, phase: Phase, round: string, db: DatabaseTarget): Step {
  return {
    id: `${round}.restore.${db.key}`,
    phase,
    title: `Restore the ${db.key} dump into the new side (${db.address.new})`,
    where: TOOLBOX,
    commands: [
      onNode(ctx, TOOLBOX, [
        `. ${SECRETS_FILE}`,
        // Puppet created the new release's schema at boot (nova::api sync_db and the like): start from the dump alone.
        `${mysqlAs(db, 'new')} -e 'DROP DATABASE IF EXISTS ${db.name}; CREATE DATABASE ${db.name} CHARACTER SET utf8'`,
        `gunzip -c ${dumpFile(round, db)} | ${mysqlAs(db, 'new')} ${db.name}`,
      ]),
    ],
    rollbackSafe: true,
  };
}

/** Points a service's configuration on the toolbox at its new database. */
function connectLines(db: DatabaseTarget): string[] {
  const url = `"mysql://${db.name}:$${db.passwordSecret}@${db.address.new}/${db.name}"`;
  switch (db.service) {
    case 'keystone':
      return [`crudini --set /etc/keystone/keystone.conf database connection ${url}`];
    case 'glance':
      return ['glance-api', 'glance-registry'].map((f) => `crudini --set /etc/glance/${f}.conf database connection ${url}`);
    case 'neutron':
      return [
        `crudini --set /etc/neutron/neutron.conf database connection ${url}`,
        'crudini --set /etc/neutron/neutron.conf DEFAULT core_plugin ml2',
      ];
    case 'nova': {
      const conf = novaConf(db);
      return [
        `install -m 0600 /dev/null ${conf}`,
        `crudini --set ${conf} database connection ${url}`,
        // The cells trap: object saves message the cell's broker; this one is local and disposable.
        ...[
          ['rabbit_host', '127.0.0.1'],
          ['rabbit_port', '5672'],
          ['rabbit_userid', 'guest'],
          ['rabbit_password', 'guest'],
        ].map(([k, v]) => `crudini --set ${conf} oslo_messaging_rabbit ${k} ${v}`),
        `crudini --set ${conf} cells enable True`,
        `crudini --set ${conf} cells name ${db.cell!.name}`,
        `crudini --set ${conf} cells cell_type ${db.cell!.type}`,
      ];
    }
  }
}

/** The schema migration of one database with the tools of `release` (Liberty's Neutron has expand/contract branches: `heads`). */
export function syncLines(db: DatabaseTarget, release: Release): string[] {
  switch (db.service) {
    case 'keystone':
      return ['keystone-manage db_sync', 'keystone-manage db_version'];
    case 'glance':
      return ['glance-manage db_sync', 'glance-manage db_version'];
    case 'neutron':
      return [`${NEUTRON_DB_MANAGE} upgrade ${release === 'liberty' ? 'heads' : 'head'}`, `${NEUTRON_DB_MANAGE} current`];
    case 'nova':
      return [
        // Kilo's migration 267 refuses NULL instance uuids: its scan names the rows first (2015.1.0 nova/cmd/manage.py).
        ...(release === 'kilo' ? [`nova-manage --config-file ${novaConf(db)} db null_instance_uuid_scan`] : []),
        `nova-manage --config-file ${novaConf(db)} db sync`,
        `nova-manage --config-file ${novaConf(db)} db version`,
      ];
  }
}

function syncStep(ctx: Context, phase: Phase, round: string, db: DatabaseTarget, release: Release): Step {
  return {
    id: `${round}.sync-${release}.${db.key}`,
    phase,
    title: `${release} schema migration of ${db.key}${db.cell ? ` (cell ${db.cell.name})` : ''} on ${db.address.new}`,
    where: TOOLBOX,
    commands: [onNode(ctx, TOOLBOX, [`. ${SECRETS_FILE}`, ...connectLines(db), ...syncLines(db, release)])],
    rollbackSafe: true,
  };
}

/**
 * Kilo's `migrate_flavor_data` works in batches and prints "N instances matched query, M completed";
 * it is repeated until N is 0. A batch that completes nothing while some still match is stuck: fail.
 */
export function flavorLoopLines(db: DatabaseTarget): string[] {
  const cmd = `nova-manage --config-file ${novaConf(db)} db migrate_flavor_data --max-number 1000`;
  return [
    'pass=0',
    'while :; do',
    '  pass=$((pass + 1))',
    // Under set -e a bare out=$(…) would end the script without showing nova-manage's error.
    `  if ! out=$(${cmd} 2>&1); then printf '%s\\n' "$out" >&2; echo "migrate_flavor_data failed (pass $pass)" >&2; exit 1; fi`,
    '  printf \'%s\\n\' "$out"',
    `  matched=$(printf '%s\\n' "$out" | sed -n 's/^\\([0-9][0-9]*\\) instances matched query.*/\\1/p' | tail -n 1)`,
    `  done_now=$(printf '%s\\n' "$out" | sed -n 's/.*matched query, \\([0-9][0-9]*\\) completed.*/\\1/p' | tail -n 1)`,
    '  [ -n "$matched" ] || { echo "migrate_flavor_data: unexpected output" >&2; exit 1; }',
    '  [ "$matched" -eq 0 ] && break',
    // Kilo's migrate_flavor_data skips instances with a task state or in RESIZED/RESCUED; its --force (nova/cmd/manage.py
    // from 2015.1.1, which the Kilo archive ships; not in 2015.1.0) takes them too.
    '  [ "$done_now" != 0 ] || { echo "migrate_flavor_data: $matched match but none completed: stuck; instances with a task state or in RESIZED or RESCUED are skipped: settle them in production first, or rerun with --force (nova 2015.1.1 and later)" >&2; exit 1; }',
    '  [ "$pass" -lt 10000 ] || { echo "migrate_flavor_data: no end after $pass passes" >&2; exit 1; }',
    'done',
    'echo "flavor data migrated in $pass passes"',
  ];
}

function dummyRabbit(ctx: Context, phase: Phase, round: string, action: 'start' | 'stop'): Step {
  // The toolbox's own script (its user data installs it), so the broker is set up in one place.
  const lines = action === 'start' ? [`${DUMMY_RABBIT_SCRIPT} start`, 'rabbitmqctl status >/dev/null'] : [`${DUMMY_RABBIT_SCRIPT} stop`];
  return {
    id: `${round}.dummy-rabbitmq-${action}`,
    phase,
    title: `${action === 'start' ? 'Start' : 'Stop'} the dummy RabbitMQ on the toolbox (cells v1 object saves need a reachable broker)`,
    where: TOOLBOX,
    commands: [onNode(ctx, TOOLBOX, lines)],
    rollbackSafe: true,
  };
}

/** Restore, Kilo pass (with the flavor loop per cell), Liberty pass: every database, every cell. */
export function migrationSteps(ctx: Context, phase: Phase, round: string): Step[] {
  const dbs = databaseTargets(ctx.plan);
  const nova = dbs.filter((db) => db.service === 'nova');
  const others = dbs.filter((db) => db.service !== 'nova');
  const path = [...ctx.plan.releases.via, ctx.plan.releases.to];
  const steps: Step[] = [...dbs.map((db) => restoreStep(ctx, phase, round, db))];
  path.forEach((release, i) => {
    steps.push(toolsStep(phase, round, release, ctx));
    steps.push(...others.map((db) => syncStep(ctx, phase, round, db, release)));
    if (i === 0) steps.push(dummyRabbit(ctx, phase, round, 'start'));
    for (const db of nova) {
      steps.push(syncStep(ctx, phase, round, db, release));
      if (release === 'kilo') {
        steps.push({
          id: `${round}.flavor-data.${db.key}`,
          phase,
          title: `Kilo migrate_flavor_data of cell ${db.cell!.name}, repeated until 0 matched`,
          where: TOOLBOX,
          commands: [onNode(ctx, TOOLBOX, flavorLoopLines(db))],
          rollbackSafe: true,
        });
      }
    }
  });
  steps.push(dummyRabbit(ctx, phase, round, 'stop'));
  return steps;
}

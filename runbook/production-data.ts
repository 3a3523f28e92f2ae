/**
 * Production's data in the old side, once, before anything is rehearsed: the
 * rehearsal must migrate real databases (the talk's traps only showed on them).
 * The operator brings one `mysqldump` per database (`<key>.sql.gz`, e.g.
 * `keystone.sql.gz`, `nova-cell01.sql.gz`); they are restored into the old side,
 * then what points at production is pointed at the staging: the Keystone catalog,
 * the service users' passwords (or, with the directory stand-in, their roles), the
 * cells links.
 */
import { SECRETS_FILE } from '../assets/secrets';
import { shQuote } from '../assets/shell';
import type { NodeRole } from '../profile/schema';
import { KEYSTONE_USERS } from '../plan/directory';
import type { NodePlan, Side } from '../plan/types';
import { databaseTargets } from './databases';
import { DUMPS_DIR, mysqlAs, TOOLBOX } from './dumps';
import { CHECKS } from './staging-cli';
import { onNode, SSH, work, type Context } from './remote';
import { forgetServicesStep } from './service-records';
import { sideServicesStep } from './sides';
import type { Phase, Step } from './types';

const PRODUCTION_DIR = `${DUMPS_DIR}/production`;

/** Catalog service types the staging serves, with the role and port behind each. */
const CATALOG: readonly { type: string; role: NodeRole; port: number; adminPort?: number }[] = [
  { type: 'identity', role: 'keystone', port: 5000, adminPort: 35357 },
  { type: 'compute', role: 'nova-api', port: 8774 },
  { type: 'image', role: 'glance', port: 9292 },
  { type: 'network', role: 'neutron-server', port: 9696 },
  { type: 'object-store', role: 'swift-proxy', port: 8080 },
];

/**
 * Points a side's Keystone catalog at the staging: public URLs at the edge ("$1" of the
 * remote script), internal and admin URLs at the side's own nodes. Paths are kept.
 */
/** The catalog's SQL for a side: the edge's address stands as EDGE until the step fills it in. */
export function catalogStatements(ctx: Context, side: Side): string[] {
  const host = (role: NodeRole) => ctx.plan.nodes.find((n) => n.side === side && n.role === role)!.addresses.management!;
  // The scheme's `//` ends before position 9: the next `/` starts the path (none: the URL becomes the base).
  const rewrite = (type: string, iface: string, base: string) =>
    `UPDATE endpoint e JOIN service s ON e.service_id = s.id SET e.url = CONCAT('${base}', SUBSTRING(e.url, LOCATE('/', e.url, 9))) WHERE s.type = '${type}' AND e.interface = '${iface}';`;
  return CATALOG.flatMap(({ type, role, port, adminPort }) => [
    rewrite(type, 'public', `http://EDGE:${port}`),
    rewrite(type, 'internal', `http://${host(role)}:${port}`),
    rewrite(type, 'admin', `http://${host(role)}:${adminPort ?? port}`),
  ]);
}

export function catalogStep(ctx: Context, phase: Phase, id: string, side: Side): Step {
  const keystone = databaseTargets(ctx.plan).find((db) => db.service === 'keystone')!;
  const statements = catalogStatements(ctx, side);
  return {
    id,
    phase,
    title: `Point the ${side} side's Keystone catalog at the staging (public: the edge; internal, admin: the ${side} side)`,
    where: TOOLBOX,
    commands: [
      onNode(
        ctx,
        TOOLBOX,
        [`. ${SECRETS_FILE}`, `sed "s/EDGE/$1/g" <<'SQL' | ${mysqlAs(keystone, side)} ${keystone.name}`, ...statements, 'SQL'],
        [`"$(${CHECKS} endpoint ${work(ctx, 'edge.json')})"`],
      ),
    ],
    rollbackSafe: true,
  };
}

export function productionDataSteps(ctx: Context, phase: Phase): Step[] {
  const dbs = databaseTargets(ctx.plan);
  const local = ctx.options.productionDumps;
  const toolbox = ctx.plan.nodes.find((n) => n.name === TOOLBOX)!.addresses.management!;
  const keystoneNode = ctx.plan.nodes.find((n) => n.side === 'old' && n.role === 'keystone')!;
  const step = (id: string, title: string, where: string, commands: string[]): Step => ({
    id: `deploy.production-${id}`,
    phase,
    title,
    where,
    commands,
    rollbackSafe: true,
  });
  return [
    step('check', `Check that production's dumps are all there (${dbs.length}: ${dbs.map((db) => db.key).join(', ')})`, 'operator', [
      `for key in ${dbs.map((db) => db.key).join(' ')}; do [ -s ${shQuote(local)}/"$key".sql.gz ] || { echo "missing ${local}/$key.sql.gz: a mysqldump of production's database, gzipped" >&2; exit 1; }; done`,
    ]),
    step('copy', 'Copy the dumps to the migration toolbox', 'operator', [
      `tar -C ${shQuote(local)} -cf - . | ${SSH} ${ctx.options.sshUser}@${toolbox} "sudo mkdir -p ${PRODUCTION_DIR} && sudo tar -C ${PRODUCTION_DIR} -xf -"`,
    ]),
    sideServicesStep(ctx, phase, 'deploy.production-stop-old', 'old', 'stop'),
    step('restore', `Restore production's ${dbs.length} databases into the old side`, TOOLBOX, [
      onNode(ctx, TOOLBOX, [
        `. ${SECRETS_FILE}`,
        ...dbs.flatMap((db) => [
          `${mysqlAs(db, 'old')} -e 'DROP DATABASE IF EXISTS ${db.name}; CREATE DATABASE ${db.name} CHARACTER SET utf8'`,
          `gunzip -c ${PRODUCTION_DIR}/${db.key}.sql.gz | ${mysqlAs(db, 'old')} ${db.name}`,
        ]),
        // Production's cells rows name production's brokers: the staging links its own cells next.
        ...dbs.filter((db) => db.service === 'nova').map((db) => `${mysqlAs(db, 'old')} ${db.name} -e 'DELETE FROM cells'`),
      ]),
    ]),
    forgetServicesStep(ctx, phase, 'deploy.production-services', 'old', "production's"),
    catalogStep(ctx, phase, 'deploy.production-catalog', 'old'),
    sideServicesStep(ctx, phase, 'deploy.production-start-old', 'old', 'start'),
    keystoneUsersStep(ctx, phase, keystoneNode),
  ];
}

/**
 * Production's restored Keystone must let the staging's own users in. With SQL identity,
 * production's service users are given the staging's passwords. With the directory
 * stand-in, the users and their passwords are the stand-in's (read-only), and production's
 * assignments name production's user ids: each user is granted its role, once. Then each
 * logs in, scoped to its project, as the services will (a v2 token needs a role there).
 */
function keystoneUsersStep(ctx: Context, phase: Phase, keystoneNode: NodePlan): Step {
  const directory = ctx.plan.keystone.directory !== undefined;
  const admin = `keystone --os-token "$token" --os-endpoint "$url"`;
  const setUp = directory
    ? KEYSTONE_USERS.flatMap(({ user, project, role }) => [
        `${admin} user-get ${user} >/dev/null || { echo "user ${user} is not in the directory stand-in" >&2; exit 1; }`,
        `${admin} user-role-list --user ${user} --tenant ${project} | grep -Eq '[|] ${role} +[|]' ||`,
        `  ${admin} user-role-add --user ${user} --tenant ${project} --role ${role} >/dev/null`,
      ])
    : KEYSTONE_USERS.map(({ user, secret }) => `${admin} user-password-update --pass "$${secret}" ${user}`);
  return {
    id: directory ? 'deploy.production-roles' : 'deploy.production-passwords',
    phase,
    title: directory
      ? `Grant the directory's admin and service users their roles in production's projects, then log each in (${KEYSTONE_USERS.map((u) => u.user).join(', ')})`
      : `Give production's admin and service users the staging's passwords, then log each in (${KEYSTONE_USERS.map((u) => u.user).join(', ')})`,
    where: keystoneNode.name,
    commands: [
      onNode(ctx, keystoneNode.name, [
        `. ${SECRETS_FILE}`,
        'token=$(crudini --get /etc/keystone/keystone.conf DEFAULT admin_token)',
        `url=http://${keystoneNode.addresses.management}:35357/v2.0`,
        ...setUp,
        // The password goes through the environment, never a command line.
        ...KEYSTONE_USERS.map(
          ({ user, secret, project }) =>
            `OS_PASSWORD="$${secret}" keystone --os-username ${user} --os-tenant-name ${project} --os-auth-url "http://${keystoneNode.addresses.management}:5000/v2.0" token-get >/dev/null || { echo "${user} cannot log in to ${project}" >&2; exit 1; }`,
        ),
      ]),
    ],
    rollbackSafe: true,
  };
}

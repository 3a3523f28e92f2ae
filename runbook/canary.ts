/**
 * The canary's seed, in the order its parts need each other: the admin part (projects,
 * images, Tempest's shared network), then the canary user and its roles in every
 * canary project, then Nova's policy that lets that role aim a boot at a cell, then
 * the workload itself, created as each project by the canary user.
 */
import { SECRETS_FILE } from '../assets/secrets';
import { shQuote } from '../assets/shell';
import {
  CANARY_PASSWORD_VARIABLE,
  CANARY_PROVIDER_ENV_DEFAULTS,
  CANARY_ROLES,
  CANARY_USER,
  MEMBER_ROLE,
  TARGET_CELL_ROLE,
} from '../plan/canary';
import { onEach, onNode, work, type Context } from './remote';
import { secretValue } from './secrets';
import type { TenantView } from './checks';
import { CHECKS, stagingCli } from './staging-cli';
import { deployStacks, outputsCommand } from './stacks';
import type { Phase, Step } from './types';

/** The projects the canary user works in: the canary's, the Japanese-named one last. */
export const canaryUserProjects = (ctx: Context): string[] => [...ctx.plan.canary.projects, ctx.plan.canary.multibyte.project];

/**
 * The environment of every Terraform run of the canary stack: the canary user's password
 * as its ephemeral variable (read from the rehearsal's secrets, so it is in no command
 * line, plan or state), and none of the OS_* variables the provider would take as
 * defaults for the arguments its per-project blocks leave unset (a cloud, a token, a
 * project id would each log in as someone else).
 */
export const canaryEnv = (ctx: Context): string =>
  [
    // Assigned before `env`, the password is in its environment, not its arguments.
    `TF_VAR_${CANARY_PASSWORD_VARIABLE}=${secretValue(ctx, 'CANARY_USER_PASSWORD')} env`,
    ...CANARY_PROVIDER_ENV_DEFAULTS.map((name) => `-u ${name}`),
  ].join(' ');

/** Lines that set what `tenantCli` reads: the canary user's password (a shell variable, in no command line) and the edge's Keystone. */
export function tenantCliSetup(ctx: Context, members = false): string[] {
  return [
    `canary_password=${secretValue(ctx, 'CANARY_USER_PASSWORD')}`,
    ...(members ? [`member_password=${secretValue(ctx, 'LDAP_TEST_PASSWORD')}`] : []),
    `canary_auth_url="http://$(${CHECKS} endpoint ${work(ctx, 'edge.json')}):5000/v3"`,
  ];
}

/**
 * The openstack CLI as the canary user (or a project's test account of the directory,
 * whose password is `$member_password`) scoped to a project, at the edge: what a tenant
 * of that project is shown (after `tenantCliSetup`).
 */
export const tenantCli = (project: string, user = CANARY_USER): string =>
  [
    // Assigned before `env`, the password is in its environment, not its arguments.
    `OS_PASSWORD="$${user === CANARY_USER ? 'canary' : 'member'}_password" env`,
    ...CANARY_PROVIDER_ENV_DEFAULTS.map((name) => `-u ${name}`),
    'openstack --os-auth-type password --os-auth-url "$canary_auth_url" --os-identity-api-version 3',
    `--os-username ${user} --os-user-domain-id default --os-project-name ${shQuote(project)} --os-project-domain-id default`,
  ].join(' ');

/** The rule Nova checks before it follows a `target_cell` hint, and what the staging's old side sets it to. */
export const TARGET_CELL_RULE = 'cells_scheduler_filter:TargetCellFilter';
export const TARGET_CELL_POLICY = `is_admin:True or role:${TARGET_CELL_ROLE}`;

/**
 * Lines that set the target-cell rule in a Nova policy file in place (the release's own
 * file, its other rules and layout untouched), then read the file back as JSON: a file
 * without the rule, or one the edit left unreadable, fails the step. Nova reads the
 * file again when it changes (nova/policy.py `read_cached_file`), so nothing restarts.
 */
export function targetCellPolicyLines(file = '/etc/nova/policy.json'): string[] {
  return [
    `f=${shQuote(file)}`,
    `grep -q '"${TARGET_CELL_RULE}"' "$f" || { echo "$f has no ${TARGET_CELL_RULE} rule" >&2; exit 1; }`,
    `sed -i 's/\\("${TARGET_CELL_RULE}" *: *\\)"[^"]*"/\\1"${TARGET_CELL_POLICY}"/' "$f"`,
    `python -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))[sys.argv[2]] != sys.argv[3])' "$f" ${shQuote(TARGET_CELL_RULE)} ${shQuote(TARGET_CELL_POLICY)} ||`,
    `  { echo "$f: ${TARGET_CELL_RULE} is not ${TARGET_CELL_POLICY}" >&2; exit 1; }`,
  ];
}

export function canarySeedSteps(ctx: Context, phase: Phase): Step[] {
  const keystone = ctx.plan.nodes.find((n) => n.side === 'old' && n.role === 'keystone')!;
  const directory = ctx.plan.keystone.directory;
  const projectsFile = work(ctx, 'canary-projects.json');
  const projectId = (name: string) => `"$(${CHECKS} project-id ${projectsFile} ${shQuote(name)})"`;
  return [
    {
      id: `${phase}.canary-projects`,
      phase,
      title: "Create the canary's projects, images and Tempest's shared network (as the staging's admin)",
      where: 'operator',
      commands: [deployStacks(ctx, ['canary-projects']), outputsCommand('canary-projects', projectsFile)],
      rollbackSafe: true,
    },
    {
      id: `${phase}.canary-user`,
      phase,
      title: directory
        ? `Grant the directory's canary user ${CANARY_USER} the roles ${CANARY_ROLES.join(', ')} in every canary project, and each project's test account ${MEMBER_ROLE} there`
        : `Create the canary user ${CANARY_USER}, with the roles ${CANARY_ROLES.join(', ')} in every canary project`,
      where: keystone.name,
      commands: [
        // The password is read on the node from the secrets file; the operator's CLI never sees it.
        onNode(ctx, keystone.name, [
          `. ${SECRETS_FILE}`,
          'token=$(crudini --get /etc/keystone/keystone.conf DEFAULT admin_token)',
          `url=http://${keystone.addresses.management}:35357/v2.0`,
          ...(directory
            ? // The directory is read-only to Keystone: the user is the stand-in's, never created here.
              [
                `keystone --os-token "$token" --os-endpoint "$url" user-get ${CANARY_USER} >/dev/null ||`,
                `  { echo "${CANARY_USER} is not in the directory stand-in" >&2; exit 1; }`,
              ]
            : [
                `keystone --os-token "$token" --os-endpoint "$url" user-get ${CANARY_USER} >/dev/null 2>&1 ||`,
                `  keystone --os-token "$token" --os-endpoint "$url" user-create --name ${CANARY_USER} --pass "$CANARY_USER_PASSWORD" >/dev/null`,
              ]),
        ]),
        // Production's restored Keystone may lack the Swift operator role (and has no canary role).
        [
          `for role in ${CANARY_ROLES.join(' ')}; do`,
          `  ${stagingCli(ctx)} role show "$role" >/dev/null 2>&1 || ${stagingCli(ctx)} role create "$role" >/dev/null || exit 1`,
          'done',
        ].join('\n'),
        ...canaryUserProjects(ctx).map((name) =>
          [
            `project=${projectId(name)}`,
            `for role in ${CANARY_ROLES.join(' ')}; do`,
            `  ${stagingCli(ctx)} role add --user ${CANARY_USER} --user-domain default --project "$project" "$role" || exit 1`,
            'done',
          ].join('\n'),
        ),
        ...(directory?.accounts ?? [])
          .filter((a) => a.project !== undefined)
          .map(
            (a) => `${stagingCli(ctx)} role add --user ${a.uid} --user-domain default --project ${projectId(a.project!)} ${MEMBER_ROLE}`,
          ),
      ],
      rollbackSafe: true,
    },
    {
      id: `${phase}.target-cell-policy`,
      phase,
      title: `Let the role ${TARGET_CELL_ROLE} aim a boot at a cell, in the old side's Nova policy (${TARGET_CELL_RULE})`,
      where: 'operator',
      // The API cell's nova-cells runs TargetCellFilter; nova-api shares the file, as on every node of the role.
      commands: [
        onEach(
          ctx,
          ctx.plan.nodes.filter((n) => n.side === 'old' && n.role === 'nova-api'),
          targetCellPolicyLines(),
        ),
      ],
      checks: [`${TARGET_CELL_RULE} reads "${TARGET_CELL_POLICY}" on every old-side nova-api node`],
      rollbackSafe: true,
    },
    {
      id: `${phase}.canary`,
      phase,
      title: `Create the canary workload through the staging cloud's own API, each project's part as ${CANARY_USER} in that project`,
      where: 'operator',
      commands: [`${canaryEnv(ctx)} ${deployStacks(ctx, ['canary'])}`],
      rollbackSafe: true,
    },
  ];
}

/** What each canary project's tenant must list of the canary, and must not: its own servers and networks, and the others'. */
export function tenantViews(ctx: Context): { readonly project: string; readonly view: TenantView }[] {
  const canary = ctx.plan.canary;
  const parts = [
    ...canary.projects.map((project) => ({
      project,
      servers: canary.servers.filter((s) => s.project === project).map((s) => s.name),
      networks: canary.networks.filter((n) => n.project === project).map((n) => n.name),
    })),
    { project: canary.multibyte.project, servers: [canary.multibyte.server], networks: [canary.multibyte.network] },
  ];
  return parts.map((part) => ({
    project: part.project,
    view: {
      own: { servers: part.servers, networks: part.networks },
      foreign: {
        servers: parts.filter((p) => p !== part).flatMap((p) => p.servers),
        networks: parts.filter((p) => p !== part).flatMap((p) => p.networks),
      },
    },
  }));
}

/**
 * After every switch: each canary project, as its tenant, lists its own servers and
 * networks and none of the others'. With the directory stand-in, the project's test
 * account looks too: an LDAP user who is only a member there logs in and sees the project.
 */
export function tenantViewStep(ctx: Context, phase: Phase): Step {
  const members = (ctx.plan.keystone.directory?.accounts ?? []).filter((a) => a.project !== undefined);
  const who = [CANARY_USER, ...members.map((a) => a.uid)].join(', ');
  return {
    id: `${phase}.tenant-view`,
    phase,
    title: `Each canary project as its tenant (${who}) lists its own servers and networks, and no other project's`,
    where: 'operator',
    commands: tenantViews(ctx).map(({ project, view }, i) => {
      const marks = [
        ...view.own.servers.map((n) => `+server=${n}`),
        ...view.own.networks.map((n) => `+network=${n}`),
        ...view.foreign.servers.map((n) => `-server=${n}`),
        ...view.foreign.networks.map((n) => `-network=${n}`),
      ];
      const users = [CANARY_USER, ...members.filter((a) => a.project === project).map((a) => a.uid)];
      return [
        // One user's failed view must not be hidden by the next one's pass.
        'set -e',
        ...tenantCliSetup(ctx, users.length > 1),
        ...users.flatMap((user, u) => {
          const file = (kind: string) => work(ctx, `tenant-${phase}-${i + 1}${u === 0 ? '' : `-${user}`}-${kind}.json`);
          return [
            `${tenantCli(project, user)} server list -f json > ${file('servers')}`,
            `${tenantCli(project, user)} network list -f json > ${file('networks')}`,
            `${CHECKS} tenant-view ${shQuote(project)} ${file('servers')} ${file('networks')} ${marks.map(shQuote).join(' ')}`,
          ];
        }),
      ].join('\n');
    }),
    rollbackSafe: true,
  };
}

/**
 * The canary workload: what the rehearsal creates inside the staging cloud before
 * the first upgrade, and checks after every upgrade and rollback: VMs of
 * production's own flavors (restored with its databases, never created again) in
 * every child cell, a tenant network per project whose VLAN ML2 allocates from
 * production's ranges (a fixed id would collide with the restored allocations),
 * an image in Glance (on Swift), Swift containers with objects; and one project,
 * network, server, image and object with Japanese names.
 */
import type { Profile } from '../profile/schema';
import type { CanaryPlan, StagingPlan } from './types';

/** Two projects, so that isolation between tenants is part of what survives. */
export const CANARY_PROJECTS: readonly string[] = ['canary-a', 'canary-b'];
const PROJECTS = CANARY_PROJECTS;

/**
 * The user of Keystone's default domain that creates each canary project's networks,
 * servers and objects as that project, and logs in to Horizon: in SQL, or the directory
 * stand-in's where the staging builds one. Its password is the rehearsal's
 * `CANARY_USER_PASSWORD`, never in Terraform state.
 */
export const CANARY_USER = 'canary-user';

/**
 * Nova's policy for the cells v1 `target_cell` hint is `is_admin:True` (etc/nova/policy.json,
 * `cells_scheduler_filter:TargetCellFilter`, at 2014.1 and 12.0.0), and TargetCellFilter
 * silently ignores the hint otherwise (nova/cells/filters/target_cell.py). The staging's
 * old side grants it to this role too, which only the canary user holds, so that a
 * tenant's boot still lands in the cell the canary names.
 */
export const TARGET_CELL_ROLE = 'canary_target_cell';

/**
 * The canary user's roles in each canary project: a member (Keystone's `member_role_name`
 * of these releases), a Swift operator (swift::proxy::keystone `operator_roles`, without
 * which keystoneauth refuses a member its own account), and the target-cell role.
 */
export const MEMBER_ROLE = '_member_';
/** Swift's roles as the staging's proxies name them: swift::proxy::keystone `operator_roles`, and keystoneauth's default `reseller_admin_role`. */
export const SWIFT_OPERATOR_ROLE = 'SwiftOperator';
export const SWIFT_RESELLER_ROLE = 'ResellerAdmin';
export const CANARY_ROLES: readonly string[] = [MEMBER_ROLE, SWIFT_OPERATOR_ROLE, TARGET_CELL_ROLE];

/**
 * OS_* variables terraform-provider-openstack 3.4.0 takes as defaults for arguments the
 * per-project blocks leave unset (openstack/provider.go, `EnvDefaultFunc`), any of which
 * would make the canary log in as someone else or somewhere else: the runbook unsets them
 * for the canary stack's Terraform and for the canary user's CLI.
 */
export const CANARY_PROVIDER_ENV_DEFAULTS: readonly string[] = [
  'OS_CLOUD',
  'OS_TOKEN',
  'OS_AUTH_TOKEN',
  'OS_USER_ID',
  'OS_TENANT_ID',
  'OS_PROJECT_ID',
  'OS_USER_DOMAIN_NAME',
  'OS_PROJECT_DOMAIN_NAME',
  'OS_DOMAIN_ID',
  'OS_DOMAIN_NAME',
  'OS_DEFAULT_DOMAIN',
  'OS_SYSTEM_SCOPE',
  'OS_APPLICATION_CREDENTIAL_ID',
  'OS_APPLICATION_CREDENTIAL_NAME',
  'OS_APPLICATION_CREDENTIAL_SECRET',
  'OS_SWAUTH',
  'OS_ENDPOINT_TYPE',
];

/** The Terraform variable (ephemeral: in no plan or state) the canary's per-project providers log in with. */
export const CANARY_PASSWORD_VARIABLE = 'canary_user_password';

export function canaryPlan(plan: Pick<StagingPlan, 'cells'>, profile: Profile): CanaryPlan {
  const networks = PROJECTS.map((project, i) => ({ name: `${project}-net`, project, cidr: `192.168.${100 + i}.0/24` }));
  const children = plan.cells.filter((c) => c.type === 'compute');
  // Every production flavor in every child cell, alternating projects.
  const servers = children.flatMap((cell, c) =>
    profile.compute.flavors.map((flavor, f) => {
      const project = PROJECTS[(c + f) % PROJECTS.length];
      return {
        name: `canary-${cell.name}-${flavor.name.replace(/[^a-z0-9]+/gi, '-')}`,
        project,
        cell: cell.name,
        flavor: flavor.name,
        network: `${project}-net`,
      };
    }),
  );
  return {
    projects: PROJECTS,
    flavors: profile.compute.flavors.map((f) => ({ name: f.name, vcpus: f.vcpus, ramMiB: f.memoryMiB, diskGiB: f.diskGiB })),
    networks,
    image: { name: 'canary-cirros', diskFormat: profile.nova.imageFormat },
    servers,
    containers: PROJECTS.map((project) => ({ name: `${project}-objects`, project, objects: ['small.txt', 'manifest.json'] })),
    tempestNetwork: { name: 'tempest-shared', cidr: `192.168.${100 + PROJECTS.length + 1}.0/24` },
    multibyte: {
      project: 'カナリア日本語',
      network: 'カナリア網',
      cidr: `192.168.${100 + PROJECTS.length}.0/24`,
      server: 'カナリア仮想マシン',
      cell: children[0].name,
      flavor: profile.compute.flavors[0].name,
      image: 'カナリアイメージ',
      container: 'カナリア容器',
      object: '日本語オブジェクト.txt',
    },
  };
}

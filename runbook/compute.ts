/**
 * Compute nodes are upgraded in place (procedure: everything else is built
 * anew) and repointed at the new side's cell database and broker. Before that
 * their configuration is saved and the yum transaction is recorded, so that the
 * rollback puts back the old packages (`yum history undo`) and configuration;
 * the VMs keep running throughout (only nova-compute and the agent stop).
 */
import { cellEndpoints, cellOf, firstAddress, RABBIT_PORT } from '../assets/endpoints';
import { rdoRepoPath } from '../assets/repos';
import { SECRETS_FILE } from '../assets/secrets';
import { InputError } from '../profile/errors';
import { RELEASES, type Release } from '../profile/schema';
import type { NodePlan } from '../plan/types';
import { nodesWith, onEach, type Context } from './remote';
import { servicesOf, serviceLines } from './services';
import type { Phase, Step } from './types';

const STATE = '/var/lib/openstack-staging';
const SERVICES = servicesOf('compute');

/** Compute nodes grouped by cell: one command per cell, since each cell has its own database and broker. */
const byCell = (ctx: Context): [string, NodePlan[]][] => {
  const groups = new Map<string, NodePlan[]>();
  for (const node of nodesWith(ctx.plan, 'shared', ['compute'])) groups.set(node.cell!, [...(groups.get(node.cell!) ?? []), node]);
  return [...groups];
};

function repoLines(ctx: Context, node: NodePlan): string[] {
  const release = ctx.plan.releases.to;
  const archive = ctx.options.packageArchives[release];
  if (!archive)
    throw new InputError('target config', `packageArchives.${release}`, `is required: compute nodes are upgraded in place to ${release}`);
  const url = (archive.endsWith('/') ? archive : archive + '/') + rdoRepoPath(release, node.os);
  return [
    `printf '%s\\n' '[openstack-${release}]' 'name=OpenStack ${release} (RDO)' 'baseurl=${url}' 'enabled=1' 'gpgcheck=0' > /etc/yum.repos.d/openstack-${release}.repo`,
    `sed -i 's/^enabled=1/enabled=0/' /etc/yum.repos.d/openstack-${ctx.plan.releases.from}.repo`,
  ];
}

const fromLiberty = (release: Release): boolean => RELEASES.indexOf(release) >= RELEASES.indexOf('liberty');

/**
 * How nova-compute authenticates to Neutron: Kilo and Liberty dropped the `DEFAULT/neutron_*`
 * names; Liberty (12.0.0 nova/network/neutronv2/api.py) loads a keystone auth plugin from
 * `[neutron]`, earlier releases read `admin_*`. Packstack's user: `neutron` in `services`.
 */
function neutronAuthLines(release: Release, keystone: string): string[] {
  const set = (key: string, value: string) => `crudini --set /etc/nova/nova.conf neutron ${key} ${value}`;
  return fromLiberty(release)
    ? [
        set('auth_plugin', 'password'),
        set('auth_url', `http://${keystone}:35357`),
        set('username', 'neutron'),
        set('password', '"$NEUTRON_KS_PASSWORD"'),
        set('project_name', 'services'),
        set('user_domain_id', 'default'),
        set('project_domain_id', 'default'),
      ]
    : [
        set('admin_auth_url', `http://${keystone}:35357/v2.0`),
        set('admin_username', 'neutron'),
        set('admin_password', '"$NEUTRON_KS_PASSWORD"'),
        set('admin_tenant_name', 'services'),
      ];
}

/**
 * Liberty moved the OVS agent's settings to plugins/ml2/openvswitch_agent.ini (neutron
 * 7.0.0's etc/; Icehouse and Kilo: plugins/openvswitch/ovs_neutron_plugin.ini): the node's
 * bridge mappings and firewall driver go with them, or the agent binds no VLAN port.
 */
function ovsAgentLines(release: Release): string[] {
  if (!fromLiberty(release)) return [];
  const old = '/etc/neutron/plugins/openvswitch/ovs_neutron_plugin.ini';
  const fresh = '/etc/neutron/plugins/ml2/openvswitch_agent.ini';
  return [
    `if [ -f ${old} ]; then`,
    `  touch ${fresh}`,
    `  v=$(crudini --get ${old} ovs bridge_mappings 2>/dev/null || true); [ -z "$v" ] || crudini --set ${fresh} ovs bridge_mappings "$v"`,
    `  v=$(crudini --get ${old} securitygroup firewall_driver 2>/dev/null || true); [ -z "$v" ] || crudini --set ${fresh} securitygroup firewall_driver "$v"`,
    'fi',
  ];
}

/** Glance, Neutron and Keystone of the new side, under the new release's option names (the node now runs it). */
function newSideServiceLines(ctx: Context): string[] {
  const at = (role: 'glance' | 'neutron-server' | 'keystone') => firstAddress(ctx.plan, role, 'new');
  const keystone = at('keystone');
  return [
    `crudini --set /etc/nova/nova.conf glance api_servers http://${at('glance')}:9292`,
    `crudini --set /etc/nova/nova.conf neutron url http://${at('neutron-server')}:9696`,
    ...neutronAuthLines(ctx.plan.releases.to, keystone),
    ...ovsAgentLines(ctx.plan.releases.to),
    ...['nova/nova.conf', 'neutron/neutron.conf'].flatMap((conf) => [
      `crudini --set /etc/${conf} keystone_authtoken auth_uri http://${keystone}:5000/v2.0`,
      `crudini --set /etc/${conf} keystone_authtoken identity_uri http://${keystone}:35357`,
    ]),
  ];
}

export function computeUpgradeStep(ctx: Context, phase: Phase, round: string): Step {
  const commands = byCell(ctx).map(([, nodes]) => {
    const cell = cellOf(ctx.plan, nodes[0]);
    const { databases, brokers } = cellEndpoints(ctx.plan, cell, 'new');
    const rabbit = brokers.map((ip) => `${ip}:${RABBIT_PORT}`).join(',');
    const neutronRabbit = `${firstAddress(ctx.plan, 'rabbitmq', 'new')}:${RABBIT_PORT}`;
    return onEach(ctx, nodes, [
      `. ${SECRETS_FILE}`,
      ...serviceLines('stop', SERVICES),
      `mkdir -p ${STATE}`,
      `tar -czf ${STATE}/config-before-${round}.tgz /etc/nova /etc/neutron /etc/yum.repos.d`,
      ...repoLines(ctx, nodes[0]),
      "yum -y update 'openstack-nova-*' 'python-nova' 'openstack-neutron*' 'python-neutron'",
      `yum history list | awk '$1 ~ /^[0-9]+$/ { print $1; exit }' > ${STATE}/upgrade-${round}.yum`,
      // The new side's cell database and broker (Kilo moved the broker settings).
      `crudini --set /etc/nova/nova.conf database connection "mysql://nova:$NOVA_DB_PASSWORD@${databases[0]}/nova"`,
      'crudini --del /etc/nova/nova.conf DEFAULT rabbit_hosts',
      `crudini --set /etc/nova/nova.conf oslo_messaging_rabbit rabbit_hosts ${rabbit}`,
      // Its side's other services too: after the cut-over the old side's are stopped.
      ...newSideServiceLines(ctx),
      'crudini --del /etc/neutron/neutron.conf DEFAULT rabbit_hosts',
      'crudini --del /etc/neutron/neutron.conf DEFAULT rabbit_host',
      `crudini --set /etc/neutron/neutron.conf oslo_messaging_rabbit rabbit_hosts ${neutronRabbit}`,
      ...serviceLines('start', SERVICES),
    ]);
  });
  return {
    id: `${round}.compute-upgrade`,
    phase,
    title: "Upgrade compute nodes in place and point them at the new side's cell DB and broker",
    where: 'operator',
    commands,
    checks: ['nova-compute runs on every compute node'],
    rollbackSafe: true,
  };
}

/** Puts back the packages and configuration of the round's upgrade. Touches no database. */
export function computeRollbackStep(ctx: Context, phase: Phase, round: string): Step {
  const nodes = nodesWith(ctx.plan, 'shared', ['compute']);
  const command = onEach(ctx, nodes, [
    ...serviceLines('stop', SERVICES),
    // The old release's repositories first (the undo installs its packages from them, and with
    // yum's keepcache=0 nothing else holds them); the repository added for the upgrade goes.
    `rm -f /etc/yum.repos.d/openstack-${ctx.plan.releases.to}.repo`,
    `tar -xzf ${STATE}/config-before-${round}.tgz -C / etc/yum.repos.d`,
    'yum clean all',
    `yum -y history undo "$(cat ${STATE}/upgrade-${round}.yum)"`,
    // Then the configuration the upgrade changed.
    `tar -xzf ${STATE}/config-before-${round}.tgz -C /`,
    ...serviceLines('start', SERVICES),
  ]);
  return {
    id: 'rollback.compute',
    phase,
    title: "Put compute nodes back on the old release and the old side's cells",
    where: 'operator',
    commands: [command],
    rollbackSafe: true,
  };
}

/**
 * The fidelity table: for every component, what production has, what the
 * staging clone has, and whether it is kept, scaled, emulated or dropped.
 */
import type { Profile } from '../profile/schema';
import type { CloudName } from '../targets/config';
import { factsOf } from '../targets/facts';
import type { FidelityRow, NodePlan, StagingPlan } from './types';
import { MODULE_SETS } from '../assets/puppet';
import { TARGET_CELL_ROLE } from './canary';

type Draft = Omit<StagingPlan, 'fidelity' | 'cost' | 'canary'>;

const count = (nodes: readonly NodePlan[], role: string, side = 'old') => nodes.filter((n) => n.role === role && n.side === side).length;
const row = (component: string, production: string, staging: string, verdict: FidelityRow['verdict'], reason: string): FidelityRow => ({
  component,
  production,
  staging,
  verdict,
  reason,
});

export function fidelityTable(plan: Draft, p: Profile, cloud: CloudName): FidelityRow[] {
  const n = plan.nodes;
  const wording = factsOf(cloud).fidelity;
  const path = [p.releases.from, ...p.releases.via, p.releases.to].join(' -> ');
  const rows: FidelityRow[] = [
    row('release path', path, path, 'kept', 'the same releases and the same intermediate database steps'),
    row(
      'operating system',
      osText(p.os.old),
      osText(p.os.old) + ' (old side), ' + osText(p.os.new) + ' (new side)',
      'kept',
      'same OS per role; base images are chosen by OS name',
    ),
    row(
      'installer',
      `${p.installer.kind}${p.installer.localChanges ? ', with local changes' : ''}`,
      `a Puppet run per node of its role manifest, with RDO's own modules: ${Object.values(MODULE_SETS)
        .map((s) => `${s.tag} for ${s.releases.join(', ')}`)
        .join(', ')}`,
      'emulated',
      "Packstack's answer file cannot lay out one controller per service; the classes its templates apply are applied per node instead; in-house changes to the installer are not carried over unless added to the role manifests",
    ),
    ...placementRows(plan, p, wording),
  ];
  for (const [role, size] of Object.entries(p.controllers.roles)) {
    const staged = count(n, role);
    rows.push(
      row(
        `controller ${role}`,
        `${size!.count} x ${size!.vcpus} vCPU/${size!.memoryGiB} GiB`,
        `${staged} per side x ${sizeText(n, role)}`,
        staged === size!.count ? 'kept' : 'scaled',
        staged === size!.count ? 'same count on each side' : 'fewer replicas: service behaviour is rehearsed, not high availability',
      ),
    );
  }
  rows.push(externalAuthRow(plan));
  for (const cell of plan.cells) {
    const dbs = cell.database.old.length;
    rows.push(
      row(
        `nova cell ${cell.name}`,
        cell.type === 'api'
          ? 'API cell, own DB and RabbitMQ'
          : `${cell.productionComputeHosts} compute hosts, own DB (${cell.dbSizeGiB} GiB) and RabbitMQ`,
        cell.type === 'api'
          ? `API cell on both sides, ${dbs} DB node(s) per side`
          : `${cell.computeHosts} compute node(s), own DB and RabbitMQ on both sides`,
        cell.type === 'api' || cell.computeHosts === cell.productionComputeHosts ? 'kept' : 'scaled',
        'every cell keeps its own database (full production dump) and broker; compute hosts are scaled',
      ),
    );
  }
  const computes = n.filter((x) => x.role === 'compute');
  const accel = [...new Set(computes.map((c) => c.hypervisor?.acceleration ?? 'none'))].join(', ');
  rows.push(
    row(
      'hypervisor',
      `${p.nova.hypervisor}, ${p.nova.imageFormat} on ${p.nova.imagesOn}`,
      `kvm (${accel}), ${p.nova.imageFormat} on a local volume`,
      accel === 'hardware' ? 'kept' : 'emulated',
      accel === 'hardware' ? 'bare-metal hosts give the same KVM' : 'KVM nested inside cloud VMs: same virt_type, slower guests',
    ),
  );
  rows.push(
    row(
      'compute hosts',
      `${p.nova.cells.reduce((s, c) => s + c.computeHosts, 0)} hosts, ${p.compute.coresPerHost} cores each`,
      `${computes.length} nodes, ${computes[0]?.size.vcpus ?? 0} vCPU each`,
      'scaled',
      'enough to host the canary workload in every cell',
    ),
  );
  rows.push(
    row(
      'nova service records',
      `every host's services in the Nova databases (${p.nova.cells.reduce((s, c) => s + c.computeHosts, 0)} computes and the controllers)`,
      "the staging's own hosts; production's records (and the old side's, on the new side) soft-deleted after each restore",
      'scaled',
      'hosts the staging does not run would show as dead services and compute nodes; the restored data is otherwise kept',
    ),
  );
  rows.push(
    row(
      'nova policy',
      "the release's policy.json (target_cell hints for admins only)",
      `the same, except that on the old side the cells rule also admits the role ${TARGET_CELL_ROLE}, held only by the canary user`,
      'emulated',
      'the canary boots in each cell as a tenant; Nova ignores the hint for any other non-admin',
    ),
  );
  rows.push(
    row(
      'tenant VMs',
      `${p.compute.vms} VMs, ${p.compute.flavors.length} flavors`,
      `canary VMs on every cell, production's ${p.compute.flavors.length} flavors`,
      'scaled',
      'canaries prove existing VMs survive upgrade and rollback',
    ),
  );
  rows.push(
    row(
      'neutron isolation',
      `${p.neutron.isolation}${p.neutron.physnets.length ? ' on ' + p.neutron.physnets.map((x) => `${x.name} ${x.vlanRanges.join(',')}`).join('; ') : ''}`,
      ...tenantVlans(plan, p, wording),
    ),
  );
  rows.push(
    row(
      'neutron L3',
      p.neutron.l3 ? 'virtual routers' : 'none (IP/MAC management only)',
      p.neutron.l3 ? 'virtual routers' : 'none',
      'kept',
      'same agents',
    ),
  );
  const sw = plan.swift;
  rows.push(
    row(
      'swift ring parameters',
      `part power ${p.swift.partPower}, ${p.swift.replicas} replicas, min_part_hours ${p.swift.minPartHours}`,
      `part power ${sw.partPower}, ${sw.replicas} replicas, min_part_hours ${sw.minPartHours}`,
      'kept',
      'part power cannot change after creation; the rings are built the same way',
    ),
  );
  rows.push(row('swift regions and zones', zonesText(p.swift.regions), zonesText(sw.regions), 'kept', 'same failure domains'));
  const prodNodes = p.swift.regions.flatMap((r) => r.zones).reduce((s, z) => s + z.nodes, 0);
  const stagedNodes = count(n, 'swift-storage');
  rows.push(
    row(
      'swift storage',
      `${prodNodes} nodes x ${p.swift.devicesPerNode} devices of ${p.swift.deviceSizeGiB} GiB`,
      `${stagedNodes} nodes x ${sw.devicesPerNode} devices of ${sw.deviceSizeGiB} GiB per side`,
      stagedNodes === prodNodes && sw.devicesPerNode === p.swift.devicesPerNode ? 'kept' : 'scaled',
      'one volume per ring device; fewer, smaller devices',
    ),
  );
  rows.push(
    row(
      'swift data',
      `${p.swift.storedDataTiB} TiB`,
      "the canary's objects and image, plus any sample the operator uploads to the old side",
      'scaled',
      'the copy to the new side is timed on what is there; production objects are not copied automatically',
    ),
  );
  rows.push(row('glance backend', p.glance.backend, p.glance.backend, 'kept', `${p.glance.images} images, ${p.glance.sizeGiB} GiB`));
  rows.push(
    row(
      'databases',
      `${p.databases.engine} ${p.databases.version}`,
      `${p.databases.engine} ${p.databases.version}, production-size servers, full dumps`,
      'kept',
      'the migration is rehearsed on real production data',
    ),
  );
  rows.push(
    row(
      'horizon',
      p.horizon.customized ? 'customized' : 'stock',
      p.horizon.customized ? 'the packages of the archives in the target config' : 'stock',
      p.horizon.customized ? 'emulated' : 'kept',
      p.horizon.customized ? 'the customizations come only from your own repositories in packageArchives' : 'same packages',
    ),
  );
  rows.push(
    row(
      'cinder',
      p.cinder.enabled ? 'enabled' : 'none',
      p.cinder.enabled ? 'not built' : 'none',
      p.cinder.enabled ? 'dropped' : 'kept',
      p.cinder.enabled ? 'block storage is not part of this tool yet' : 'nothing to build',
    ),
  );
  rows.push(
    row(
      'monitoring',
      `${p.monitoring.system}, ${p.logIgnorePatterns.length} log-ignore patterns`,
      `every node's logs on a monitoring node, checked against the same ${p.logIgnorePatterns.length} patterns`,
      'emulated',
      "the ignore list is production's and the new log format is checked against it; the monitoring system itself is not installed",
    ),
  );
  rows.push(
    row(
      'public API entry',
      'load balancer in front of the old side',
      wording.edge,
      'emulated',
      'the cut-over is the same act: point the balancer at the other side',
    ),
  );
  return rows;
}

/** Emulated only where a stand-in is built (LDAP); any other company-wide system is dropped, and says so. */
function externalAuthRow(plan: Draft): FidelityRow {
  const { externalAuth, directory } = plan.keystone;
  if (!externalAuth) return row('keystone external auth', 'none', 'none', 'kept', 'nothing to emulate');
  const production = `${externalAuth.kind} (${externalAuth.description ?? 'company-wide'})`;
  if (!directory) {
    return row(
      'keystone external auth',
      production,
      'not built: Keystone keeps its SQL identity',
      'dropped',
      `no ${externalAuth.kind} stand-in is built (only LDAP is emulated); the company-wide system is not reachable from the staging cloud`,
    );
  }
  const staging = `OpenLDAP on the monitoring node (${directory.suffix}), ${directory.accounts.length} accounts (admin, service users, canary and test users) in ${directory.groups.length} groups, the default domain's identity on both sides' Keystone`;
  return row(
    'keystone external auth',
    production,
    staging,
    'emulated',
    "the company-wide directory is not reachable from the staging cloud; the stand-in is read with Keystone's LDAP identity driver (read-only, assignments in SQL) and holds the staging's own users, who are granted their roles in production's restored assignments",
  );
}

const osText = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([k, v]) => (k === 'default' ? v : `${k}: ${v}`))
    .join(', ');
const zonesText = (regions: readonly { id: number; zones: readonly { id: number }[] }[]) =>
  regions.map((r) => `region ${r.id}: zones ${r.zones.map((z) => z.id).join(',')}`).join('; ');
function sizeText(nodes: readonly NodePlan[], role: string): string {
  const node = nodes.find((x) => x.role === role);
  return node ? `${node.size.offer} (${node.size.vcpus} vCPU/${node.size.memoryGiB} GiB)` : 'none';
}

/** Base images and what the controllers run on: the cloud's instances, or KVM guests of hypervisor hosts as in production. */
function placementRows(plan: Draft, p: Profile, wording: ReturnType<typeof factsOf>['fidelity']): FidelityRow[] {
  const production = p.controllers.virtualized ? 'KVM virtual machines' : 'bare metal';
  const placement = plan.placement;
  if (placement.kind === 'instances') {
    return [
      row(
        'base images',
        'production build of each OS',
        'the image named per OS in the target config (imageByOs)',
        'kept',
        wording.baseImages,
      ),
      row(
        'controllers as VMs',
        production,
        wording.nodes,
        p.controllers.virtualized ? 'emulated' : 'kept',
        'controllers are virtual machines of the commercial cloud instead of KVM guests of in-house hypervisors',
      ),
    ];
  }
  const offers = [...new Set(placement.hosts.map((h) => h.size.offer))].join(', ');
  const { cpuOvercommit, memoryOvercommit } = placement.packing;
  return [
    row(
      'base images',
      'production build of each OS',
      "a qcow2 image per OS, of the target config's guestImages",
      'kept',
      'same OS release, booted on virtio disks and NICs, which the stock EL6 and EL7 kernels drive: no driver to add',
    ),
    row(
      'controllers as VMs',
      production,
      `KVM guests of ${placement.hosts.length} hypervisor hosts (${offers}), ${cpuOvercommit} vCPU and ${memoryOvercommit} GiB of guest per host vCPU and GiB`,
      p.controllers.virtualized ? 'kept' : 'emulated',
      `${placement.reason}; compute guests run on bare-metal hosts and give the canary's VMs nested KVM; each side on hosts of its own`,
    ),
  ];
}

/** How the tenant VLANs travel: on the cloud's network (instances), or as real 802.1Q tags on the hosts' trunk (KVM guests). */
function tenantVlans(plan: Draft, p: Profile, wording: ReturnType<typeof factsOf>['fidelity']): [string, FidelityRow['verdict'], string] {
  if (plan.placement.kind === 'hypervisors') {
    return [
      "same VLAN ids as 802.1Q tags on the hypervisor hosts' tenant bridge, a trunk carried between hosts over VXLAN",
      'kept',
      "the guests' Neutron agents tag their frames as in production; the cloud's network carries the hosts' VXLAN only",
    ];
  }
  return [wording.tenantVlans, p.neutron.isolation === 'vlan' ? 'emulated' : 'kept', wording.tenantVlansWhy];
}

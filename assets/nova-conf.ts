/**
 * Nova settings a cells v1 node needs from the plan: the `[cells]` section of its
 * cell, the cell's own database and broker on the node's side, and for compute
 * nodes the hypervisor the plan gives them. Written as fragments under
 * /etc/nova/nova.conf.d/ and merged into /etc/nova/nova.conf by the hand-off once
 * the packages exist (RDO's services of that era read only nova.conf).
 */
import { RELEASES, type Release } from '../profile/schema';
import type { NodePlan, StagingPlan } from '../plan/types';
import { cellEndpoints, cellOf, RABBIT_PORT, sideOf } from './endpoints';
import { renderIni, type IniSection } from './ini';
import { placeholder } from './secrets';

export const NOVA_ROLES = ['nova-api', 'cell-services', 'compute'] as const;
export const isNovaNode = (node: NodePlan): boolean => (NOVA_ROLES as readonly string[]).includes(node.role);

/** Nova's broker settings moved from [DEFAULT] to [oslo_messaging_rabbit] in Kilo. */
const rabbitSection = (release: Release): string =>
  RELEASES.indexOf(release) >= RELEASES.indexOf('kilo') ? 'oslo_messaging_rabbit' : 'DEFAULT';

export interface NovaFragment {
  readonly path: string;
  readonly content: string;
}

/** `[cells]`, `[database]` and the broker of the node's cell on its side. */
export function cellsConf(plan: StagingPlan, node: NodePlan): NovaFragment {
  const cell = cellOf(plan, node);
  const side = sideOf(node);
  const { databases, brokers } = cellEndpoints(plan, cell, side);
  const sections: IniSection[] = [
    [
      rabbitSection(node.release),
      [
        ['rabbit_hosts', brokers.map((ip) => `${ip}:${RABBIT_PORT}`).join(',')],
        ['rabbit_userid', 'nova'],
        ['rabbit_password', placeholder('RABBIT_PASSWORD')],
      ],
    ],
    ['database', [['connection', `mysql://nova:${placeholder('NOVA_DB_PASSWORD')}@${databases[0]}/nova`]]],
    [
      'cells',
      [
        ['enable', 'True'],
        ['name', cell.name],
        ['cell_type', cell.type],
      ],
    ],
  ];
  const header = [
    `Nova cells v1 settings of ${node.name}: cell ${cell.name} (${cell.type}) on the ${side} side.`,
    'Placeholders {{...}} are filled at boot from the secrets file; this file holds no secret until then.',
  ];
  return { path: '/etc/nova/nova.conf.d/cells.conf', content: renderIni(sections, header) };
}

/** The hypervisor the plan chose; a compute node without one is a planning error, never a silent qemu. */
export function libvirtConf(node: NodePlan): NovaFragment {
  if (!node.hypervisor)
    throw new Error(`${node.name} is a compute node without a planned hypervisor: Nova would fall back to virt_type=qemu`);
  const header = [`Hypervisor of ${node.name}: ${node.hypervisor.virtType} (${node.hypervisor.acceleration} acceleration), as planned.`];
  return {
    path: '/etc/nova/nova.conf.d/libvirt.conf',
    content: renderIni([['libvirt', [['virt_type', node.hypervisor.virtType]]]], header),
  };
}

/** Every Nova fragment of a node; none for roles without Nova. */
export function novaFragments(plan: StagingPlan, node: NodePlan): NovaFragment[] {
  if (!isNovaNode(node)) return [];
  return node.role === 'compute' ? [cellsConf(plan, node), libvirtConf(node)] : [cellsConf(plan, node)];
}

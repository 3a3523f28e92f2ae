/**
 * Addresses a node talks to, looked up in the plan: its side's services and its
 * cell's database and broker. Shared compute nodes start on the old side (they
 * are upgraded in place), so they use the old side's endpoints.
 */
import type { NodeRole } from '../profile/schema';
import type { CellPlan, NetworkRole, NodePlan, Side, StagingPlan } from '../plan/types';

export const RABBIT_PORT = 5672;

/** The side whose services a node uses at deploy time. */
export const sideOf = (node: NodePlan): Side => (node.side === 'new' ? 'new' : 'old');

/** Nodes by name and by role and side, built once per plan: every node's assets look others up. */
interface NodeIndex {
  readonly byName: ReadonlyMap<string, NodePlan>;
  readonly byRoleAndSide: ReadonlyMap<string, readonly NodePlan[]>;
}
const indexes = new WeakMap<StagingPlan, NodeIndex>();

function indexOf(plan: StagingPlan): NodeIndex {
  let index = indexes.get(plan);
  if (!index) {
    const byRoleAndSide = new Map<string, NodePlan[]>();
    for (const node of plan.nodes) {
      const key = `${node.role}/${node.side}`;
      const nodes = byRoleAndSide.get(key);
      if (nodes) nodes.push(node);
      else byRoleAndSide.set(key, [node]);
    }
    index = { byName: new Map(plan.nodes.map((n) => [n.name, n])), byRoleAndSide };
    indexes.set(plan, index);
  }
  return index;
}

export function nodeNamed(plan: StagingPlan, name: string): NodePlan {
  const node = indexOf(plan).byName.get(name);
  if (!node) throw new Error(`plan names node ${name} but does not plan it`);
  return node;
}

export function addressOf(node: NodePlan, network: NetworkRole = 'management'): string {
  const address = node.addresses[network];
  if (!address) throw new Error(`${node.name} has no address on the ${network} network`);
  return address;
}

/** Nodes of a role on a side, in plan order. */
export const nodesOf = (plan: StagingPlan, role: NodeRole, side: Side): NodePlan[] => [
  ...(indexOf(plan).byRoleAndSide.get(`${role}/${side}`) ?? []),
];

/** Management address of the first node of a role on a side (the one clients are pointed at). */
export function firstAddress(plan: StagingPlan, role: NodeRole, side: Side): string {
  const [node] = nodesOf(plan, role, side);
  if (!node) throw new Error(`the plan has no ${role} node on the ${side} side`);
  return addressOf(node);
}

export function cellNamed(plan: StagingPlan, name: string): CellPlan {
  const cell = plan.cells.find((c) => c.name === name);
  if (!cell) throw new Error(`plan has no cell ${name}`);
  return cell;
}

export const apiCell = (plan: StagingPlan): CellPlan => plan.cells.find((c) => c.type === 'api')!;

/** The database and broker addresses of a cell on a side; the first of each is the one written into configs. */
export interface CellEndpoints {
  readonly databases: readonly string[];
  readonly brokers: readonly string[];
}

export function cellEndpoints(plan: StagingPlan, cell: CellPlan, side: Side): CellEndpoints {
  const addresses = (names: readonly string[]) => names.map((name) => addressOf(nodeNamed(plan, name)));
  const endpoints = { databases: addresses(cell.database[side]), brokers: addresses(cell.rabbitmq[side]) };
  if (endpoints.databases.length === 0 || endpoints.brokers.length === 0)
    throw new Error(`cell ${cell.name} has no database or broker on the ${side} side`);
  return endpoints;
}

/** The cell whose database and broker a node uses: its own, or the API cell for the other services. */
export const cellOf = (plan: StagingPlan, node: NodePlan): CellPlan => (node.cell ? cellNamed(plan, node.cell) : apiCell(plan));

/**
 * Every database the upgrade carries over, with the node holding it on each
 * side: the API-level ones (Keystone, Glance, Neutron on the control-plane
 * database node) and one Nova database per cell, the API cell's included.
 * Dumps, restores and migrations all iterate this one list, so no cell is missed.
 */
import { addressOf, apiCell, nodeNamed, nodesOf } from '../assets/endpoints';
import type { SecretName } from '../assets/secrets';
import type { Side, StagingPlan } from '../plan/types';

export type DbService = 'keystone' | 'glance' | 'neutron' | 'nova';

export interface DatabaseTarget {
  /** Dump file stem, unique: `keystone`, `nova-api`, `nova-cell01`… */
  readonly key: string;
  readonly service: DbService;
  /** Database and user name (the role manifests create them so; assumption: production kept them). */
  readonly name: string;
  readonly passwordSecret: SecretName;
  /** Nova cell of a Nova database. */
  readonly cell?: { readonly name: string; readonly type: 'api' | 'compute' };
  /** Management address of the database server on each side. */
  readonly address: Readonly<Record<Side, string>>;
}

const PASSWORD: Record<DbService, SecretName> = {
  keystone: 'KEYSTONE_DB_PASSWORD',
  glance: 'GLANCE_DB_PASSWORD',
  neutron: 'NEUTRON_DB_PASSWORD',
  nova: 'NOVA_DB_PASSWORD',
};

const firstOf = (plan: StagingPlan, names: readonly string[], what: string): string => {
  if (!names[0]) throw new Error(`the plan has no database node for ${what}`);
  return addressOf(nodeNamed(plan, names[0]));
};

export function databaseTargets(plan: StagingPlan): DatabaseTarget[] {
  const control = (side: Side) =>
    firstOf(
      plan,
      nodesOf(plan, 'database', side).map((n) => n.name),
      'the API-level databases',
    );
  const apiLevel = (['keystone', 'glance', 'neutron'] as const).map((service) => ({
    key: service,
    service,
    name: service,
    passwordSecret: PASSWORD[service],
    address: { old: control('old'), new: control('new') },
  }));
  // The API cell first: its nova DB holds the parent's copy of every instance.
  const cells = [apiCell(plan), ...plan.cells.filter((c) => c.type !== 'api')];
  const nova = cells.map((cell) => ({
    key: `nova-${cell.name}`,
    service: 'nova' as const,
    name: 'nova',
    passwordSecret: PASSWORD.nova,
    cell: { name: cell.name, type: cell.type },
    address: { old: firstOf(plan, cell.database.old, cell.name), new: firstOf(plan, cell.database.new, cell.name) },
  }));
  return [...apiLevel, ...nova];
}

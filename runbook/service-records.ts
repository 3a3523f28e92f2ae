/**
 * The Nova service records a restored database brings along: production's hundreds
 * of computes and conductors (and, on the new side, the old side's hosts). Nothing
 * here runs them, so they are soft-deleted after each restore the way Nova deletes a
 * row (`deleted` set to the row's id, `deleted_at` to now: NovaBase's soft delete,
 * which the unique keys of `services` on (host, binary, deleted) and (host, topic,
 * deleted) allow many times over), with the compute nodes they reported. `nova-manage
 * service list` and the scheduler then see the staging's own hosts only. The columns
 * are those of nova 2014.1's models (services, compute_nodes.service_id), still there
 * in 12.0.0.
 */
import { SECRETS_FILE } from '../assets/secrets';
import type { Side } from '../plan/types';
import { databaseTargets } from './databases';
import { mysqlAs, TOOLBOX } from './dumps';
import { onNode, type Context } from './remote';
import type { Phase, Step } from './types';

/** Host names Nova reports for the staging nodes that serve with `side`: that side's and the shared ones (compute). */
export const stagingHosts = (ctx: Context, side: Side): string[] =>
  ctx.plan.nodes.filter((n) => n.side === side || n.side === 'shared').map((n) => n.name);

/** The SQL: a host is compared by its first label (a node may report its FQDN). */
export function forgetServicesSql(hosts: readonly string[]): string[] {
  const ours = hosts.map((h) => `'${h}'`).join(', ');
  return [
    `UPDATE compute_nodes c JOIN services s ON c.service_id = s.id SET c.deleted = c.id, c.deleted_at = NOW() WHERE c.deleted = 0 AND SUBSTRING_INDEX(s.host, '.', 1) NOT IN (${ours});`,
    `UPDATE services SET deleted = id, deleted_at = NOW() WHERE deleted = 0 AND SUBSTRING_INDEX(host, '.', 1) NOT IN (${ours});`,
    "SELECT CONCAT(COUNT(*), ' deleted service record(s) in all') FROM services WHERE deleted <> 0;",
  ];
}

export function forgetServicesStep(ctx: Context, phase: Phase, id: string, side: Side, whose: string): Step {
  const nova = databaseTargets(ctx.plan).filter((db) => db.service === 'nova');
  const sql = forgetServicesSql(stagingHosts(ctx, side));
  return {
    id,
    phase,
    title: `Soft-delete ${whose} Nova service records in every restored Nova database of the ${side} side`,
    where: TOOLBOX,
    commands: [
      onNode(ctx, TOOLBOX, [`. ${SECRETS_FILE}`, ...nova.flatMap((db) => [`${mysqlAs(db, side)} -N ${db.name} <<'SQL'`, ...sql, 'SQL'])]),
    ],
    rollbackSafe: true,
  };
}

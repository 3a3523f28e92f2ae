/**
 * Security groups and their rules, expanded from the plan's flows. One group
 * per role and side (shared nodes have one group), so that nothing on the new
 * side can reach the old side's databases: rollback relies on them untouched.
 */
import type { NodeRole } from '../profile/schema';
import type { FlowPlan, NodePlan, StagingPlan } from './types';

export interface SecurityRule {
  /** Group the rule admits traffic into. */
  readonly group: string;
  /**
   * Source group, or CIDR blocks: the load balancer subnets, or the operators (`operators`
   * set), whom a target may also let in through its own access path.
   */
  readonly from: { readonly group: string } | { readonly cidrs: readonly string[]; readonly operators?: true };
  readonly protocol: 'tcp' | 'udp';
  readonly ports: readonly [number, number];
  readonly purpose: string;
}

/** The security group a node belongs to. */
export const groupOf = (node: Pick<NodePlan, 'role' | 'side'>): string =>
  node.side === 'shared' ? node.role : `${node.side}-${node.role}`;

/** Every group in the plan, in node order. */
export function securityGroups(plan: StagingPlan): string[] {
  return [...new Set(plan.nodes.map(groupOf))];
}

/** Groups of a role present in the plan, with their side. */
function groupsOfRole(plan: StagingPlan, role: NodeRole): { group: string; side: string }[] {
  const seen = new Map<string, string>();
  for (const n of plan.nodes) if (n.role === role) seen.set(groupOf(n), n.side);
  return [...seen.entries()].map(([group, side]) => ({ group, side }));
}

export function securityRules(plan: StagingPlan, adminCidrs: readonly string[]): SecurityRule[] {
  const apiSubnets = plan.networks.find((n) => n.role === 'api')!.subnets.map((s) => s.cidr);
  const rules: SecurityRule[] = [];
  const seen = new Set<string>();
  const push = (rule: SecurityRule) => {
    const key = JSON.stringify(rule);
    if (!seen.has(key)) {
      seen.add(key);
      rules.push(rule);
    }
  };
  for (const flow of plan.flows) {
    for (const to of groupsOfRole(plan, flow.to)) {
      const base = { group: to.group, protocol: flow.protocol, ports: flow.ports, purpose: flow.purpose };
      if (flow.from === 'admin') push({ ...base, from: { cidrs: adminCidrs, operators: true } });
      else if (flow.from === 'edge') push({ ...base, from: { cidrs: apiSubnets } });
      else
        for (const from of groupsOfRole(plan, flow.from))
          if (reaches(flow, from.side, to.side)) push({ ...base, from: { group: from.group } });
    }
  }
  return rules;
}

/** Same-side flows stay within a side; shared nodes talk to both. */
function reaches(flow: FlowPlan, fromSide: string, toSide: string): boolean {
  return !flow.sameSide || fromSide === 'shared' || toSide === 'shared' || fromSide === toSide;
}

/** One ingress permission of one source, keyed by what it allows (the same key on every cloud and every run). */
export interface IngressPermission {
  /** `<group> <protocol>/<from>-<to> from <source>`: a new flow adds keys, it never renumbers the others. */
  readonly key: string;
  readonly rule: SecurityRule;
  /** A security group, a CIDR block, or the target's own operator access path. */
  readonly source: { readonly group: string } | { readonly cidr: string } | { readonly operatorAccess: true };
}

/**
 * Every rule spread over its sources, each once, keyed by what it allows. Targets
 * make one Terraform resource member per key, so that adding a flow to a live
 * staging adds resources and replaces none.
 */
export function ingressPermissions(plan: StagingPlan, adminCidrs: readonly string[]): IngressPermission[] {
  const out = new Map<string, IngressPermission>();
  const add = (rule: SecurityRule, name: string, source: IngressPermission['source']) => {
    const key = `${rule.group} ${rule.protocol}/${rule.ports[0]}-${rule.ports[1]} from ${name}`;
    if (!out.has(key)) out.set(key, { key, rule, source });
  };
  for (const rule of securityRules(plan, adminCidrs)) {
    if ('group' in rule.from) add(rule, rule.from.group, { group: rule.from.group });
    else for (const cidr of rule.from.cidrs) add(rule, cidr, { cidr });
    if ('operators' in rule.from) add(rule, 'operator-access', { operatorAccess: true });
  }
  return [...out.values()];
}

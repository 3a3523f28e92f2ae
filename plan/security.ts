/**
 * Security groups and their rules, expanded from the plan's flows. One group
 * per role and side (shared nodes have one group), so that nothing on the new
 * side can reach the old side's databases: rollback relies on them untouched.
 */
import type { NodeRole } from '../profile/schema';
import type { FlowPlan, NodePlan, NodeSide, StagingPlan } from './types';

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

/**
 * The cloud's security group of a hypervisor host: one per side, admitting what any of
 * the side's guests may receive; the host narrows it to each guest's own group with
 * nftables (assets/host-firewall.ts), as the cloud cannot tell guests on one interface apart.
 */
export const hostGroupOf = (side: NodeSide): string => `hypervisors-${side}`;

/** The cloud's group a node's traffic comes from and goes to: its own, or its host's. */
export function cloudGroupOf(plan: Pick<StagingPlan, 'placement'>, node: Pick<NodePlan, 'role' | 'side'>): string {
  return plan.placement.kind === 'hypervisors' ? hostGroupOf(node.side) : groupOf(node);
}

/** Every group the cloud holds for the plan, in node order. */
export function securityGroups(plan: StagingPlan): string[] {
  return [...new Set(plan.nodes.map((node) => cloudGroupOf(plan, node)))];
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
  // Each guest group's rules, said of the cloud's groups (the same ones where nodes are instances).
  const sideOf = new Map(plan.nodes.map((n) => [groupOf(n), n]));
  const cloud = (group: string) => cloudGroupOf(plan, sideOf.get(group)!);
  const add = (rule: SecurityRule, name: string, source: IngressPermission['source']) => {
    const key = `${rule.group} ${rule.protocol}/${rule.ports[0]}-${rule.ports[1]} from ${name}`;
    if (!out.has(key)) out.set(key, { key, rule, source });
  };
  for (const guestRule of securityRules(plan, adminCidrs)) {
    const from = 'group' in guestRule.from ? { group: cloud(guestRule.from.group) } : guestRule.from;
    const rule: SecurityRule = { ...guestRule, group: cloud(guestRule.group), from };
    if ('group' in rule.from) add(rule, rule.from.group, { group: rule.from.group });
    else for (const cidr of rule.from.cidrs) add(rule, cidr, { cidr });
    if ('operators' in rule.from) add(rule, 'operator-access', { operatorAccess: true });
  }
  if (plan.placement.kind === 'hypervisors') {
    // The hosts' tenant trunk: every host replicates tenant frames to every other (assets/host-network.ts).
    const hostGroups = [...new Set(plan.placement.hosts.map((h) => hostGroupOf(h.side)))];
    for (const into of hostGroups)
      for (const source of hostGroups) {
        const rule: SecurityRule = {
          group: into,
          from: { group: source },
          protocol: 'udp',
          ports: [4789, 4789],
          purpose: "hypervisor hosts' tenant VLAN trunk (VXLAN)",
        };
        add(rule, source, { group: source });
      }
  }
  return [...out.values()];
}

/** One `for_each` member of an ingress rule resource, with the target's ids filled in. */
export interface IngressMember {
  readonly group: string;
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly description: string;
  /** The source group's id, or the CIDR block. */
  readonly source: string;
}

/**
 * The ingress permissions as two member maps (from groups, from CIDR blocks), keyed by
 * what they allow, for a target's two `for_each` rule resources. `operatorAccess` is
 * the id of the target's own operator access group; without one, the operators come
 * in from the admin CIDRs only.
 */
export function ingressMembers(
  plan: StagingPlan,
  adminCidrs: readonly string[],
  ids: {
    readonly group: (name: string) => string;
    readonly operatorAccess?: string;
    /** Fields a target adds to each member (AWS: its tags), from the key and the group the rule admits into. */
    readonly extra?: (key: string, group: string) => Record<string, unknown>;
  },
): { fromGroups: Record<string, IngressMember>; fromCidrs: Record<string, IngressMember> } {
  const fromGroups: Record<string, IngressMember> = {};
  const fromCidrs: Record<string, IngressMember> = {};
  for (const { key, rule, source } of ingressPermissions(plan, adminCidrs)) {
    if ('operatorAccess' in source && ids.operatorAccess === undefined) continue;
    const into = 'cidr' in source ? fromCidrs : fromGroups;
    into[key] = {
      group: ids.group(rule.group),
      protocol: rule.protocol,
      from: rule.ports[0],
      to: rule.ports[1],
      description: rule.purpose,
      source: 'cidr' in source ? source.cidr : 'group' in source ? ids.group(source.group) : ids.operatorAccess!,
      ...ids.extra?.(key, rule.group),
    };
  }
  return { fromGroups, fromCidrs };
}

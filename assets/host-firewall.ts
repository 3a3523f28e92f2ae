/**
 * The security groups of the guests, kept on their host. A cloud filters per
 * interface, and the guests of a host share its interfaces (their addresses are
 * the interfaces' secondary ones), so the cloud's group on a host interface is the
 * union of its guests'; guests on one host would also reach each other without
 * passing the cloud at all. The host therefore enforces each guest's own group:
 * the guests' bridge ports are isolated (libvirt's `<port isolated='yes'/>`), the
 * host answers their ARP for each other (proxy ARP, private-VLAN style), so every
 * packet to a guest is routed by the host through this nftables chain, which admits
 * what the plan's rules admit into the guest's group and nothing else.
 */
import { groupOf, type SecurityRule } from '../plan/security';
import type { NodePlan } from '../plan/types';
import { BRIDGE_OF } from './libvirt';
import { ROUTED_ROLES } from './host-network';

export const FIREWALL_FILE = '/etc/staging/guests.nft';
const TABLE = 'staging_guests';
const METADATA_TABLE = 'staging_metadata';

export interface HostFirewallInput {
  /** Addresses of every node of each group (sources can be anywhere in the staging). */
  readonly members: ReadonlyMap<string, readonly string[]>;
  /** The groups of this host's guests: the destinations this host guards. */
  readonly guarded: readonly string[];
  /** The plan's rules (plan/security.ts). */
  readonly rules: readonly SecurityRule[];
  /** Where the target's operator access path comes from (its endpoint's subnet), for rules open to operators. */
  readonly operatorSources: readonly string[];
  /**
   * The cloud's instance metadata service, which answers the instance's own address only: the
   * guests reach it through their host, their requests masqueraded to the host's address (as a
   * container's are), so that they read the rehearsal's secrets and assets with the host's role.
   */
  readonly metadataService?: { readonly address: string; readonly port: number };
}

/** nftables names: letters, digits and underscores. */
const setName = (group: string): string => `g_${group.replace(/[^A-Za-z0-9]/g, '_')}`;

/** The firewall input of one host, from the plan. */
export function hostFirewallInput(
  nodes: readonly NodePlan[],
  guests: readonly string[],
  rules: readonly SecurityRule[],
  operatorSources: readonly string[],
  metadataService?: HostFirewallInput['metadataService'],
): HostFirewallInput {
  const members = new Map<string, string[]>();
  for (const node of nodes) {
    const group = groupOf(node);
    members.set(group, [...(members.get(group) ?? []), ...Object.values(node.addresses).filter((a): a is string => !!a)]);
  }
  const guarded = [...new Set(nodes.filter((n) => guests.includes(n.name)).map(groupOf))];
  return { members, guarded, rules, operatorSources, ...(metadataService ? { metadataService } : {}) };
}

/** Where a rule admits from: its source group's set (when the group has nodes), or its CIDR blocks and the operators' path. */
function sourcesOf(rule: SecurityRule, input: HostFirewallInput): string[] {
  if ('group' in rule.from) return (input.members.get(rule.from.group) ?? []).length ? [`@${setName(rule.from.group)}`] : [];
  return [...new Set([...rule.from.cidrs, ...(rule.from.operators ? input.operatorSources : [])])];
}

/** The nftables ruleset (`nft -f`): replaces the host's table as a whole, so a reload never leaves a stale rule. */
export function hostFirewall(input: HostFirewallInput): string {
  const guarded = new Set(input.guarded);
  const rules = input.rules.filter((r) => guarded.has(r.group));
  const sourceGroups = [...new Set(rules.flatMap((r) => ('group' in r.from ? [r.from.group] : [])))];
  const sets = [...new Set([...input.guarded, ...sourceGroups])].sort();
  const lines = [
    '#!/usr/sbin/nft -f',
    '# Each guest admits what its own security group admits (plan/security.ts): nothing else reaches it.',
    `table inet ${TABLE}`,
    `delete table inet ${TABLE}`,
    `table inet ${TABLE} {`,
  ];
  for (const group of sets) {
    const addresses = [...new Set(input.members.get(group) ?? [])].sort();
    if (addresses.length === 0) continue;
    lines.push(`  set ${setName(group)} {`, '    type ipv4_addr', `    elements = { ${addresses.join(', ')} }`, '  }');
  }
  const bridges = ROUTED_ROLES.map((r) => `"${BRIDGE_OF[r]}"`).join(', ');
  lines.push(
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    // Only what the host routes to its guests: their own traffic out, the tenant trunk and the host are not this chain's.
    `    oifname != { ${bridges} } accept`,
    '    ct state established,related accept',
    '    ct state invalid drop',
  );
  for (const rule of rules) {
    if (!(input.members.get(rule.group) ?? []).length) continue;
    const ports = rule.ports[0] === rule.ports[1] ? `${rule.ports[0]}` : `${rule.ports[0]}-${rule.ports[1]}`;
    const into = `ip daddr @${setName(rule.group)}`;
    const sources = sourcesOf(rule, input);
    if (sources.length === 0) continue;
    const from = sources.length === 1 ? sources[0] : `{ ${sources.join(', ')} }`;
    lines.push(`    ${into} ip saddr ${from} ${rule.protocol} dport ${ports} accept  # ${rule.purpose.replace(/[\n#]/g, ' ')}`);
  }
  lines.push('    counter drop', '  }', '}');
  const metadata = input.metadataService;
  if (metadata) {
    lines.push(
      `table ip ${METADATA_TABLE}`,
      `delete table ip ${METADATA_TABLE}`,
      `table ip ${METADATA_TABLE} {`,
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      `    iifname { ${bridges} } ip daddr ${metadata.address} tcp dport ${metadata.port} masquerade  # the guests' instance metadata, as the host`,
      '  }',
      '}',
    );
  }
  lines.push('');
  return lines.join('\n');
}

/**
 * Fidelity invariants: what a staging clone must keep from production, whatever
 * the scale. Each rule returns the violations it finds; the planner refuses a
 * plan with any, and the tests tamper with plans to prove each rule can fail.
 */
import type { Profile } from '../profile/schema';
import { CONTROLLER_ROLES } from '../profile/schema';
import type { NodePlan, StagingPlan } from './types';
import { SIDES } from './types';

export interface Violation {
  readonly rule: string;
  /** Field of the profile or target the violation traces back to. */
  readonly field: string;
  readonly reason: string;
}

export interface Rule {
  readonly name: string;
  readonly description: string;
  check(plan: Omit<StagingPlan, 'fidelity' | 'cost' | 'canary'>, profile: Profile): Violation[];
}

const on = (nodes: readonly NodePlan[], side: string, role: string, cell?: string) =>
  nodes.filter((n) => n.side === side && n.role === role && (cell === undefined || n.cell === cell));

export const everyCellOnEachSide: Rule = {
  name: 'every-cell-on-each-side',
  description: 'every Nova cell exists on both sides with its own database and its own RabbitMQ',
  check(plan, profile) {
    const out: Violation[] = [];
    const expected = [profile.nova.apiCell.name, ...profile.nova.cells.map((c) => c.name)];
    for (const name of expected) {
      const cell = plan.cells.find((c) => c.name === name);
      if (!cell) {
        out.push({ rule: this.name, field: 'nova.cells', reason: `cell ${name} is missing from the plan` });
        continue;
      }
      for (const side of SIDES) {
        const dbRole = cell.type === 'api' ? 'database' : 'cell-database';
        const mqRole = cell.type === 'api' ? 'rabbitmq' : 'cell-rabbitmq';
        const dbs = cell.database[side].filter((n) => on(plan.nodes, side, dbRole).some((x) => x.name === n));
        const mqs = cell.rabbitmq[side].filter((n) => on(plan.nodes, side, mqRole).some((x) => x.name === n));
        if (dbs.length === 0)
          out.push({ rule: this.name, field: `nova.cells.${name}`, reason: `cell ${name} has no database on the ${side} side` });
        if (mqs.length === 0)
          out.push({ rule: this.name, field: `nova.cells.${name}`, reason: `cell ${name} has no RabbitMQ on the ${side} side` });
      }
      const others = plan.cells.filter((c) => c !== cell);
      for (const side of SIDES) {
        const shared = cell.database[side].find((n) => others.some((o) => o.database[side].includes(n)));
        if (shared)
          out.push({
            rule: this.name,
            field: `nova.cells.${name}`,
            reason: `cell ${name} shares database node ${shared} with another cell`,
          });
      }
    }
    return out;
  },
};

export const ringKept: Rule = {
  name: 'ring-parameters-kept',
  description:
    "Swift part power, replicas, min_part_hours, regions and zones are production's, with a storage node in every zone on each side",
  check(plan, profile) {
    const out: Violation[] = [];
    const s = plan.swift;
    const p = profile.swift;
    for (const key of ['partPower', 'replicas', 'minPartHours'] as const) {
      if (s[key] !== p[key])
        out.push({ rule: this.name, field: `swift.${key}`, reason: `staging ${s[key]} differs from production ${p[key]}` });
    }
    const layout = (regions: readonly { id: number; zones: readonly { id: number }[] }[]) =>
      regions.map((r) => `${r.id}:${r.zones.map((z) => z.id).join(',')}`).join(' ');
    if (layout(s.regions) !== layout(p.regions)) {
      out.push({
        rule: this.name,
        field: 'swift.regions',
        reason: `staging layout ${layout(s.regions)} differs from production ${layout(p.regions)}`,
      });
    }
    for (const side of SIDES) {
      for (const region of p.regions) {
        for (const zone of region.zones) {
          const nodes = on(plan.nodes, side, 'swift-storage').filter(
            (n) => n.swiftZone?.region === region.id && n.swiftZone.zone === zone.id,
          );
          if (nodes.length === 0)
            out.push({
              rule: this.name,
              field: `swift.regions`,
              reason: `region ${region.id} zone ${zone.id} has no storage node on the ${side} side`,
            });
        }
      }
      const devices = on(plan.nodes, side, 'swift-storage').reduce(
        (sum, n) => sum + n.volumes.filter((v) => v.purpose === 'swift-device').length,
        0,
      );
      if (devices < p.replicas)
        out.push({ rule: this.name, field: 'swift.replicas', reason: `${side} side has ${devices} devices for ${p.replicas} replicas` });
    }
    return out;
  },
};

export const everyControllerRole: Rule = {
  name: 'every-controller-role',
  description: 'every controller role runs on both sides',
  check(plan) {
    const out: Violation[] = [];
    for (const side of SIDES) {
      for (const role of CONTROLLER_ROLES) {
        if (on(plan.nodes, side, role).length === 0)
          out.push({ rule: this.name, field: `controllers.roles.${role}`, reason: `no ${role} node on the ${side} side` });
      }
    }
    return out;
  },
};

export const kvmEverywhere: Rule = {
  name: 'kvm-on-every-compute',
  description: 'every compute node runs KVM (hardware or nested) and every child cell has at least one',
  check(plan, profile) {
    const out: Violation[] = [];
    const computes = plan.nodes.filter((n) => n.role === 'compute');
    for (const node of computes) {
      if (node.hypervisor?.virtType !== profile.nova.hypervisor) {
        out.push({
          rule: this.name,
          field: 'nova.hypervisor',
          reason: `${node.name} (${node.size.offer}) would not run ${profile.nova.hypervisor}: Nova would fall back to virt_type=qemu`,
        });
      }
    }
    for (const cell of profile.nova.cells) {
      if (!computes.some((n) => n.cell === cell.name))
        out.push({ rule: this.name, field: `nova.cells.${cell.name}`, reason: `child cell ${cell.name} has no compute node` });
    }
    return out;
  },
};

export const releasesAndOsKept: Rule = {
  name: 'releases-and-os-kept',
  description: "the old side runs production's release and OS, the new side the target release and OS",
  check(plan, profile) {
    const out: Violation[] = [];
    for (const node of plan.nodes) {
      const sideKey = node.side === 'new' ? 'new' : 'old';
      const release = node.side === 'new' ? profile.releases.to : profile.releases.from;
      const os = profile.os[sideKey][node.role] ?? profile.os[sideKey].default;
      if (node.release !== release)
        out.push({ rule: this.name, field: 'releases', reason: `${node.name} runs ${node.release}, expected ${release}` });
      if (node.os !== os) out.push({ rule: this.name, field: `os.${sideKey}`, reason: `${node.name} runs ${node.os}, expected ${os}` });
    }
    return out;
  },
};

export const RULES: readonly Rule[] = [everyCellOnEachSide, ringKept, everyControllerRole, kvmEverywhere, releasesAndOsKept];

export function violations(plan: Omit<StagingPlan, 'fidelity' | 'cost' | 'canary'>, profile: Profile): Violation[] {
  return RULES.flatMap((rule) => rule.check(plan, profile));
}

/**
 * Cross-field rules of a profile that a schema cannot express. Each rule throws
 * an InputError naming the field it rejects.
 */
import { InputError } from './errors';
import { hopProblems } from './migrations';
import { CONTROLLER_ROLES, NODE_ROLES, RELEASES, type Release } from './schema';
import type { z } from 'zod';
import type { profileSchema } from './schema';

type ParsedProfile = z.output<typeof profileSchema>;

/**
 * Releases a schema migration cannot skip, with the reason. Nova's flavor data
 * migration (`nova-manage db migrate_flavor_data`) exists only in Kilo and must
 * complete before Liberty's `db sync`, which refuses unmigrated flavor records.
 */
const MANDATORY_STOPS: readonly { release: Release; reason: string }[] = [
  // nova 12.0.0 migration 291_enforce_flavors_migrated; migrate_flavor_data is only in 2015.1.0's nova/cmd/manage.py.
  { release: 'kilo', reason: "Kilo's nova-manage db migrate_flavor_data must complete before Liberty's db sync" },
  // nova 14.0.0 migration 330_enforce_mitaka_online_migrations; 14.0.0's nova-manage no longer fills compute_nodes.uuid.
  { release: 'mitaka', reason: "Mitaka's nova-manage db online_data_migrations must complete before Newton's db sync" },
];

const order = (r: Release): number => RELEASES.indexOf(r);

export function checkReleasePath(p: ParsedProfile, source: string): void {
  const { from, to, via } = p.releases;
  if (order(to) <= order(from)) {
    throw new InputError(source, 'releases.to', `must be a later release than '${from}' (got '${to}')`);
  }
  let previous = from;
  via.forEach((release, i) => {
    if (order(release) <= order(previous) || order(release) >= order(to)) {
      throw new InputError(
        source,
        `releases.via[${i}]`,
        `'${release}' is not between '${previous}' and '${to}': list intermediate releases in upgrade order`,
      );
    }
    previous = release;
  });
  for (const stop of MANDATORY_STOPS) {
    const crosses = order(from) < order(stop.release) && order(to) > order(stop.release);
    if (crosses && !via.includes(stop.release)) {
      throw new InputError(source, 'releases.via', `unknown release path ${from} -> ${to} without '${stop.release}': ${stop.reason}`);
    }
  }
  // Each hop must be one every project's own migrations can take.
  const path = [from, ...via, to];
  for (let i = 1; i < path.length; i++) {
    const problems = hopProblems(path[i - 1], path[i]);
    if (problems.length > 0) {
      const between = RELEASES.slice(order(path[i - 1]) + 1, order(path[i]));
      throw new InputError(
        source,
        'releases.via',
        `${path[i - 1]} -> ${path[i]} is not a hop the databases can take: ${problems.join('; ')}; add one of ${between.map((r) => `'${r}'`).join(', ')} between them`,
      );
    }
  }
}

export function checkControllers(p: ParsedProfile, source: string): void {
  for (const role of CONTROLLER_ROLES) {
    if (!p.controllers.roles[role]) {
      throw new InputError(
        source,
        `controllers.roles.${role}`,
        `is required: every controller role must be described (${CONTROLLER_ROLES.join(', ')})`,
      );
    }
  }
  for (const side of ['old', 'new'] as const) {
    for (const key of Object.keys(p.os[side])) {
      if (key !== 'default' && !(NODE_ROLES as readonly string[]).includes(key)) {
        throw new InputError(source, `os.${side}.${key}`, `is not a node role; use 'default' or one of ${NODE_ROLES.join(', ')}`);
      }
    }
  }
}

export function checkCells(p: ParsedProfile, source: string): void {
  const seen = new Map<string, string>([[p.nova.apiCell.name, 'nova.apiCell.name']]);
  p.nova.cells.forEach((cell, i) => {
    const field = `nova.cells[${i}].name`;
    const first = seen.get(cell.name);
    if (first)
      throw new InputError(source, field, `duplicate cell name '${cell.name}' (already used by ${first}): every cell needs its own name`);
    seen.set(cell.name, field);
  });
  if (p.nova.cellsVersion === 'none' && p.nova.cells.length !== 1) {
    throw new InputError(
      source,
      'nova.cells',
      `a cloud without cells (cellsVersion: none) has exactly one entry here, found ${p.nova.cells.length}`,
    );
  }
}

export function checkSwift(p: ParsedProfile, source: string): void {
  const s = p.swift;
  const regionIds = new Set<number>();
  let zones = 0;
  let nodes = 0;
  s.regions.forEach((region, r) => {
    if (regionIds.has(region.id)) throw new InputError(source, `swift.regions[${r}].id`, `duplicate region id ${region.id}`);
    regionIds.add(region.id);
    const zoneIds = new Set<number>();
    region.zones.forEach((zone, z) => {
      if (zoneIds.has(zone.id))
        throw new InputError(source, `swift.regions[${r}].zones[${z}].id`, `duplicate zone id ${zone.id} in region ${region.id}`);
      zoneIds.add(zone.id);
      zones += 1;
      nodes += zone.nodes;
    });
  });
  if (s.replicas > zones) {
    throw new InputError(
      source,
      'swift.replicas',
      `${s.replicas} replicas need at least ${s.replicas} zones (failure domains), the regions hold ${zones}`,
    );
  }
  const devices = nodes * s.devicesPerNode;
  if (s.replicas > devices) {
    throw new InputError(source, 'swift.replicas', `${s.replicas} replicas need at least ${s.replicas} devices, the ring has ${devices}`);
  }
  const capacityTiB = (devices * s.deviceSizeGiB) / 1024;
  if (s.storedDataTiB * s.replicas > capacityTiB) {
    throw new InputError(
      source,
      'swift.storedDataTiB',
      `${s.storedDataTiB} TiB x ${s.replicas} replicas exceeds the ring's raw capacity of ${capacityTiB.toFixed(0)} TiB`,
    );
  }
}

export function checkNetworkAndCompute(p: ParsedProfile, source: string): void {
  if (p.neutron.isolation === 'vlan' && p.neutron.physnets.length === 0) {
    throw new InputError(source, 'neutron.physnets', 'VLAN isolation needs at least one physnet with a VLAN range');
  }
  p.neutron.physnets.forEach((net, n) =>
    net.vlanRanges.forEach((range, r) => {
      const [first, last] = range.split(':').map(Number);
      if (first < 1 || last > 4094 || first > last) {
        throw new InputError(
          source,
          `neutron.physnets[${n}].vlanRanges[${r}]`,
          `'${range}' is not a VLAN range: first <= last, both within 1..4094`,
        );
      }
    }),
  );
  const shares = p.compute.flavors.reduce((sum, f) => sum + f.share, 0);
  if (Math.abs(shares - 1) > 0.01) {
    throw new InputError(source, 'compute.flavors', `shares add up to ${shares.toFixed(2)}; they must add up to 1`);
  }
  if (p.glance.backend === 'swift' && p.swift.regions.length === 0) {
    throw new InputError(source, 'glance.backend', 'swift needs a Swift cluster in the profile');
  }
}

/**
 * RDO builds Kilo and later for EL7 only: their archive trees
 * (repos.fedorapeople.org/repos/openstack/EOL/openstack-kilo/, -liberty/, …) hold
 * `el7/` and no EL6 tree, while Icehouse's holds `epel-6/` and `epel-7/`.
 */
const EL7_ONLY: readonly Release[] = ['kilo', 'liberty', 'mitaka', 'newton'];

const elMajor = (os: string): number => Number(/-(\d+)\./.exec(os)?.[1] ?? 7);

/** Every node runs an OS its releases have packages for: the old side `from`, the new side `to`, compute in place and the toolbox every release. */
export function checkOsReleases(p: ParsedProfile, source: string): void {
  const path = [p.releases.from, ...p.releases.via, p.releases.to];
  const el7Only = (releases: readonly Release[]) => releases.filter((r) => EL7_ONLY.includes(r));
  const check = (side: 'old' | 'new', key: string, releases: readonly Release[], what: string) => {
    const os = p.os[side][key];
    const needs = el7Only(releases);
    if (os !== undefined && elMajor(os) < 7 && needs.length > 0) {
      throw new InputError(
        source,
        `os.${side}.${key}`,
        `${os} cannot run ${needs.join(' and ')}: RDO builds ${needs[0]} for EL7 only, and ${what}; use an EL7 release`,
      );
    }
  };
  const osKey = (side: 'old' | 'new', role: string) => (p.os[side][role] !== undefined ? role : 'default');
  for (const key of Object.keys(p.os.new)) check('new', key, [p.releases.to], `the new side runs ${p.releases.to}`);
  check('old', osKey('old', 'compute'), [p.releases.from, p.releases.to], `compute nodes are upgraded in place to ${p.releases.to}`);
  check('old', osKey('old', 'migration-toolbox'), path, `the migration toolbox runs every release's tools (${path.join(', ')})`);
  for (const key of Object.keys(p.os.old)) check('old', key, [p.releases.from], `the old side runs ${p.releases.from}`);
  // packstack/puppet/templates/mariadb_install.pp (icehouse-eol) runs EL6's mysqld outside mysql::server, waiting for its
  // InnoDB settings; the role manifests model EL7's MariaDB only (assets/puppet.ts), so an EL6 database is refused.
  for (const role of ['database', 'cell-database']) {
    const key = osKey('old', role);
    const os = p.os.old[key];
    if (os !== undefined && elMajor(os) < 7) {
      throw new InputError(
        source,
        `os.old.${key}`,
        `${os} would run the ${role} nodes, whose manifest installs EL7's MariaDB as the Puppet modules do; EL6's mysqld is not modelled: give ${role} an EL7 release (os.old.${role})`,
      );
    }
  }
}

/** Runs every rule; the first broken one throws. */
export function checkConsistency(p: ParsedProfile, source: string): void {
  checkReleasePath(p, source);
  checkOsReleases(p, source);
  checkControllers(p, source);
  checkCells(p, source);
  checkSwift(p, source);
  checkNetworkAndCompute(p, source);
}

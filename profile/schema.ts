/**
 * The production profile: the cloud as it runs today, described once.
 *
 * The schema checks shape and ranges; the cross-field rules (replicas against
 * zones, cell names, the release path) live in `consistency.ts` so that each
 * one can name the field it rejects.
 */
import { z } from 'zod';

/** OpenStack releases this tool knows, in order. */
export const RELEASES = ['havana', 'icehouse', 'juno', 'kilo', 'liberty', 'mitaka', 'newton'] as const;
export type Release = (typeof RELEASES)[number];

/** Roles that production runs on controllers (KVM virtual machines in the reference cloud). */
export const CONTROLLER_ROLES = [
  'keystone',
  'glance',
  'nova-api',
  'neutron-server',
  'horizon',
  'swift-proxy',
  'database',
  'rabbitmq',
] as const;
export type ControllerRole = (typeof CONTROLLER_ROLES)[number];

/** Every role a node can have; the `os` map of a profile is keyed by these. */
export const NODE_ROLES = [
  ...CONTROLLER_ROLES,
  'cell-services',
  'cell-database',
  'cell-rabbitmq',
  'swift-storage',
  'compute',
  'migration-toolbox',
  'monitoring',
] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

const name = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be lower-case letters, digits and dashes, starting with a letter (max 31)');

const vmSize = z
  .object({
    /** How many of them production runs. */
    count: z.number().int().min(1),
    vcpus: z.number().int().min(1),
    /** At most 12 TiB: the largest machines of the era's clouds had a few. */
    memoryGiB: z.number().positive().max(12288),
  })
  .strict();

const cell = z
  .object({
    name,
    /** Compute hosts in this cell. */
    computeHosts: z.number().int().min(1),
    /** Size of the cell's Nova database, migrated on the new side. */
    dbSizeGiB: z.number().positive(),
    /** Nodes running nova-cells, nova-conductor and nova-scheduler for the cell. */
    services: vmSize,
    /** The cell's own database servers. */
    database: vmSize,
    /** The cell's own RabbitMQ brokers. */
    rabbitmq: vmSize,
  })
  .strict();

const flavor = z
  .object({
    /** Nova flavor name; it reaches shell commands and Terraform names, so a safe character set. */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be letters, digits, dots, dashes and underscores (max 64)'),
    vcpus: z.number().int().min(1),
    memoryMiB: z.number().int().min(64),
    diskGiB: z.number().int().min(0),
    /** Share of production VMs using this flavor (0..1). */
    share: z.number().min(0).max(1),
  })
  .strict();

const swiftZone = z
  .object({
    id: z.number().int().min(1),
    /** Storage nodes in this zone. */
    nodes: z.number().int().min(1),
  })
  .strict();

const swiftRegion = z
  .object({
    id: z.number().int().min(1),
    zones: z.array(swiftZone).min(1),
  })
  .strict();

/** OS per role on one side; `default` covers every role not named. */
const osName = z
  .string()
  .regex(
    /^(centos|rhel)-[67]\.\d{1,2}$/,
    "must be an EL release the bootstrap knows, such as centos-6.7 or rhel-7.2 (EL6 and EL7: the era's RDO)",
  );
const osByRole = z.record(z.string(), osName).refine((m) => typeof m.default === 'string', { message: "needs a 'default' entry" });

export const profileSchema = z
  .object({
    /** Short name of the production cloud; becomes part of the rehearsal id. */
    name,
    description: z.string().optional(),
    releases: z
      .object({
        from: z.enum(RELEASES),
        to: z.enum(RELEASES),
        /** Releases the database migration must pass through, in order. */
        via: z.array(z.enum(RELEASES)).default([]),
      })
      .strict(),
    /** OS per side; `default` applies to every role not named. */
    os: z
      .object({
        old: osByRole,
        new: osByRole,
      })
      .strict(),
    installer: z
      .object({
        kind: z.enum(['packstack', 'puppet', 'ansible', 'other']),
        packages: z.string().min(1),
        localChanges: z.boolean().default(false),
      })
      .strict(),
    controllers: z
      .object({
        /** Production runs controllers as KVM virtual machines (true) or on bare metal (false). */
        virtualized: z.boolean(),
        roles: z.record(z.enum(CONTROLLER_ROLES), vmSize),
      })
      .strict(),
    keystone: z
      .object({
        /** Company-wide identity backend Keystone is tied to, if any. */
        externalAuth: z
          .object({ kind: z.enum(['ldap', 'saml', 'kerberos', 'other']), description: z.string().optional() })
          .strict()
          .optional(),
      })
      .strict(),
    nova: z
      .object({
        hypervisor: z.enum(['kvm', 'qemu', 'xen', 'vmware', 'hyperv']),
        imageFormat: z.enum(['qcow2', 'raw']),
        imagesOn: z.enum(['local-disk', 'shared-storage', 'ceph']),
        cellsVersion: z.enum(['v1', 'none']),
        /** The API cell: nova-api and the top-level nova-cells, no compute. */
        apiCell: z.object({ name, dbSizeGiB: z.number().positive() }).strict(),
        cells: z.array(cell).min(1),
      })
      .strict(),
    compute: z
      .object({
        /** Physical cores per compute host. */
        coresPerHost: z.number().int().min(1),
        memoryGiBPerHost: z.number().positive(),
        localDiskGiBPerHost: z.number().positive(),
        /** Running VMs in production. */
        vms: z.number().int().min(0),
        flavors: z.array(flavor).min(1),
      })
      .strict(),
    swift: z
      .object({
        partPower: z.number().int().min(1).max(32),
        replicas: z.number().int().min(1),
        minPartHours: z.number().int().min(0),
        regions: z.array(swiftRegion).min(1),
        devicesPerNode: z.number().int().min(1),
        deviceSizeGiB: z.number().positive(),
        storedDataTiB: z.number().min(0),
      })
      .strict(),
    neutron: z
      .object({
        isolation: z.enum(['vlan', 'vxlan', 'gre', 'flat']),
        physnets: z
          .array(
            z
              .object({
                name: z.string().min(1),
                /** VLAN id ranges, `first:last`. */
                vlanRanges: z.array(z.string().regex(/^\d{1,4}:\d{1,4}$/, 'must be first:last')).min(1),
              })
              .strict(),
          )
          .default([]),
        /** Virtual routers (L3 agent). */
        l3: z.boolean(),
      })
      .strict(),
    glance: z
      .object({
        backend: z.enum(['swift', 'file', 'ceph']),
        images: z.number().int().min(0),
        sizeGiB: z.number().min(0),
        dbSizeGiB: z.number().positive(),
      })
      .strict(),
    databases: z
      .object({
        engine: z.enum(['mysql', 'mariadb', 'percona', 'galera']),
        version: z.string().min(1),
        /** Sizes of the non-Nova service databases. */
        keystoneSizeGiB: z.number().positive(),
        neutronSizeGiB: z.number().positive(),
      })
      .strict(),
    horizon: z.object({ customized: z.boolean() }).strict(),
    cinder: z.object({ enabled: z.boolean() }).strict(),
    monitoring: z
      .object({
        system: z.string().min(1),
        /** File of regular expressions, one per line, whose matches log monitoring ignores. Relative to the profile file. */
        logIgnorePatterns: z.string().min(1),
      })
      .strict(),
  })
  .strict();

/** The profile as written in YAML (before defaults). */
export type ProfileInput = z.input<typeof profileSchema>;
/** The validated profile. */
export type Profile = z.output<typeof profileSchema> & {
  /** Absolute path of the file it was read from, for relative references. */
  readonly source: string;
  /** Regular expressions read from `monitoring.logIgnorePatterns`. */
  readonly logIgnorePatterns: readonly string[];
};
export type Cell = z.output<typeof cell>;
export type VmSize = z.output<typeof vmSize>;
export type SwiftRegion = z.output<typeof swiftRegion>;

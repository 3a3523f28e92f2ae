/**
 * Target config: where and how big the staging clone is built. One file per
 * rehearsal environment; the cloud-specific parts sit under `aws` or `openstack`.
 */
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { KERNEL_DRIVERS } from '../profile/kernels';
import { NODE_ROLES } from '../profile/schema';
import { InputError } from '../profile/errors';
import { parseYaml, readInput, validate } from '../profile/validate';

/** An IPv4 CIDR block: four octets of 0-255, a prefix of 0-32, no bits set past the prefix. */
export function cidrProblem(text: string): string | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return 'must be an IPv4 CIDR such as 10.42.0.0/16';
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255)) return `'${text}': an octet is above 255`;
  if (prefix > 32) return `'${text}': the prefix length is above 32`;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (address % 2 ** (32 - prefix) !== 0) return `'${text}': bits are set past the /${prefix} prefix (the block starts lower)`;
  return undefined;
}
const ipv4 = z.string().superRefine((text, ctx) => {
  if (cidrProblem(`${text}/32`)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be an IPv4 address such as 192.0.2.53' });
});
const cidr = z.string().superRefine((text, ctx) => {
  const problem = cidrProblem(text);
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
});
/** Admin CIDRs wider than this are refused unless the config says allowWideAdminCidrs. */
export const WIDEST_ADMIN_PREFIX = 16;
const role = z.enum(NODE_ROLES);

const common = {
  /** Region of the commercial cloud. */
  region: z.string().min(1),
  /** Availability zones the nodes are spread over. */
  availabilityZones: z.array(z.string().min(1)).min(1),
  /** Address ranges allowed to reach SSH and the public APIs; none wider than a /16 unless allowWideAdminCidrs. */
  adminCidrs: z.array(cidr).min(1),
  /** Accept admin CIDRs wider than a /16 (0.0.0.0/0 included): the public APIs and SSH open to that much of the internet. */
  allowWideAdminCidrs: z.boolean().default(false),
  /**
   * Keep the production dumps and configuration backups (their buckets, and on AWS the key
   * they are encrypted with) when the rehearsal is torn down; by default they are deleted with it.
   */
  keepBackups: z.boolean().default(false),
  /** The most the clone may cost per hour, in the target's currency. */
  budgetPerHour: z.number().positive(),
  /** Scale of the clone: `auto` lets the planner choose within the budget, a number in (0, 1] fixes it (1 = one-to-one). */
  scale: z.union([z.literal('auto'), z.number().gt(0).lte(1)]).default('auto'),
  /** Which side the edge load balancer sends users to. */
  activeSide: z.enum(['old', 'new']).default('old'),
  /** Address space of the staging network; carved into one subnet per network role and zone. */
  networkCidr: cidr.default('10.42.0.0/16'),
  /** Size of each staging Swift device (one volume per ring device). */
  swiftDeviceSizeGiB: z.number().int().min(1).default(20),
  /** Package archive base URL per release; the bootstrap assets install from these. */
  packageArchives: z.record(z.string(), z.string().url()).default({}),
  /**
   * The OS's own repositories per OS name of the profile: a vault-style tree (`os/`, `updates/`,
   * `extras/`, each with `x86_64/`). @default the CentOS vault's folder of that minor release
   */
  osArchives: z.record(z.string(), z.string().url()).default({}),
  /** EPEL per EL major release (`"6"`, `"7"`): its `x86_64/` folder. @default the Fedora archive's */
  epelArchives: z.record(z.enum(['6', '7']), z.string().url()).default({}),
  /** Remote state; local state files when absent. */
  state: z
    .object({
      bucket: z.string().min(3),
      region: z.string().optional(),
      keyPrefix: z.string().default('openstack-staging'),
    })
    .strict()
    .optional(),
  /** Base image per OS name of the profile: an image id, or a name (pattern) looked up at deploy time. */
  imageByOs: z.record(z.string(), z.string().min(1)).default({}),
  /**
   * Drivers the images of `imageByOs` carry beyond their OS's stock kernel, per OS name: ENA and
   * NVMe built into a CentOS 7.1 image, say, so that its nodes may take Nitro sizes. An image said
   * to carry `nvme` must also link its EBS volumes by id (/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol…),
   * as EL 7.4's udev does. @default none beyond the stock kernel's (profile/kernels.ts)
   */
  imageDrivers: z.record(z.string(), z.array(z.enum(KERNEL_DRIVERS)).min(1)).default({}),
  /** The canary workload, created inside the staging cloud through its own Keystone. */
  canary: z
    .object({
      /** Entry of clouds.yaml holding the staging cloud's admin credentials (its auth_url is taken from the edge). */
      cloudName: z.string().min(1).default('staging-inside'),
      /** Image the canary VMs boot (http(s), or file:// for a file of the operator machine); Glance stores it in Swift. */
      imageUrl: z.string().url().default('http://download.cirros-cloud.net/0.3.4/cirros-0.3.4-x86_64-disk.img'),
    })
    .strict()
    .default({}),
  /**
   * Where the nodes run: `instances`, each on an instance (flavor) of its own; `hypervisors`, as
   * KVM guests of a few large hosts, as production runs its controllers. Guests boot on virtio,
   * which every EL6 and EL7 kernel drives: the way to run stock EL images before 7.4 where the
   * cloud's own instances need newer drivers (AWS Nitro: ENA, NVMe). `auto` takes hypervisors
   * where the cloud's instances cannot boot an OS of the plan, instances elsewhere. @default auto
   */
  placement: z.enum(['auto', 'instances', 'hypervisors']).default('auto'),
  /** The hypervisor hosts of `placement: hypervisors`: how densely they are packed, what they and their guests boot. */
  hypervisors: z
    .object({
      /** Guest vCPUs per host vCPU. @default 2 (the staging measures migrations, not CPU-bound work) */
      cpuOvercommit: z.number().min(1).max(8).default(2),
      /** Guest memory per host memory. @default 1 (a swapping database would distort every timing) */
      memoryOvercommit: z.number().min(1).max(1.5).default(1),
      /** Kept for the host's own OS, libvirt and QEMU's overhead. @default 2 vCPU, 8 GiB */
      hostReserve: z
        .object({ vcpus: z.number().int().min(1).default(2), memoryGiB: z.number().min(1).default(8) })
        .strict()
        .default({}),
      /** The hosts' image (Debian 12): an image id, or a name (pattern) looked up at deploy time among the cloud's Debian images. */
      hostImage: z.string().min(1).optional(),
      /** A qcow2 base image per OS name of the profile (http or https), downloaded once by each host that runs a guest of it. */
      guestImages: z.record(z.string(), z.string().url()).default({}),
    })
    .strict()
    .default({}),
  /** SSH key pair name installed on every node. */
  keyName: z.string().optional(),
};

export const awsTargetSchema = z
  .object({
    cloud: z.literal('aws'),
    ...common,
    /** AWS CLI profile used by the provider; credentials come from the usual AWS chain. */
    profile: z.string().optional(),
    /**
     * How compute nodes get KVM: `nested` uses the nested-virtualization CPU option of the
     * C8i/M8i/R8i families (AWS provider >= 6.33), `metal` uses bare-metal instance types.
     */
    computeKvm: z.enum(['nested', 'metal']).default('nested'),
    /** Instance type per role, overriding the planner's choice. */
    instanceTypes: z.record(role, z.string().min(1)).default({}),
    /**
     * One URL for every AWS service the stacks and the runbook call: an emulator (moto,
     * LocalStack) or an AWS-compatible private cloud. Credentials still come from the
     * usual AWS chain. @default AWS's own endpoints
     */
    endpoint: z.string().url().optional(),
    /** The emulator behind `endpoint`: resources it cannot create are left out (targets/aws/emulators.ts). */
    emulator: z.enum(['moto']).optional(),
  })
  .strict();

const flavor = z
  .object({
    name: z.string().min(1),
    vcpus: z.number().int().min(1),
    memoryGiB: z.number().positive(),
    pricePerHour: z.number().min(0),
    /** The flavor exposes VMX/SVM to the guest (nested KVM). */
    nestedVirtualization: z.boolean().default(false),
    /** A bare-metal flavor (Ironic). */
    baremetal: z.boolean().default(false),
  })
  .strict();

export const openstackTargetSchema = z
  .object({
    cloud: z.literal('openstack'),
    ...common,
    /** Entry of clouds.yaml the provider authenticates with. */
    cloudName: z.string().min(1),
    currency: z.string().length(3),
    /** Flavors the public cloud offers, with their price. */
    flavors: z.array(flavor).min(1),
    /** Flavor per role, overriding the planner's choice. */
    roleFlavors: z.record(role, z.string().min(1)).default({}),
    /** Name of the provider network that floating IPs and the load balancer VIP come from. */
    externalNetwork: z.string().min(1),
    /** Price of block storage per GiB per hour. */
    volumePricePerGiBHour: z.number().min(0),
    /** Price of an Octavia load balancer per hour. */
    loadBalancerPricePerHour: z.number().min(0),
    /**
     * Neutron's `max_allowed_address_pair` on the target cloud: a hypervisor host's port holds
     * one pair per guest address on its network, so it bounds a host's guests.
     * @default 10 (Neutron's own, neutron/conf/extensions/allowedaddresspairs.py)
     */
    maxAllowedAddressPairs: z.number().int().min(1).default(10),
    /**
     * Resolvers the staging subnets hand out: KVM guests take them too (their static addresses
     * have no DHCP to tell them one). Required with placement: hypervisors. @default the cloud's DHCP
     */
    dnsNameservers: z.array(ipv4).default([]),
    /**
     * How Terraform's SSH reaches the hypervisor hosts to copy their files (the SSH agent's keys):
     * the image's login user, and a bastion of the operators' network if they are not routed
     * straight to the staging's management network. @default user debian (Debian's own images), no bastion
     */
    hostLogin: z
      .object({
        user: z
          .string()
          .regex(/^[a-z_][a-z0-9_-]*$/, 'must be a Unix user name')
          .default('debian'),
        bastionHost: z.string().min(1).optional(),
        bastionUser: z
          .string()
          .regex(/^[a-z_][a-z0-9_-]*$/, 'must be a Unix user name')
          .optional(),
      })
      .strict()
      .default({}),
    /** Data transfer prices per GiB, between zones and out of the cloud. @default none charged */
    transferPrices: z
      .object({ interZonePerGiB: z.number().min(0).default(0), egressPerGiB: z.number().min(0).default(0) })
      .strict()
      .default({}),
  })
  .strict();

export const targetSchema = z.discriminatedUnion('cloud', [awsTargetSchema, openstackTargetSchema]);
/** Where a config was read from, so errors can name the file. */
interface Sourced {
  readonly source: string;
}
export type AwsTargetConfig = z.output<typeof awsTargetSchema> & Sourced;
export type OpenstackTargetConfig = z.output<typeof openstackTargetSchema> & Sourced;
export type TargetConfig = AwsTargetConfig | OpenstackTargetConfig;
export type CloudName = TargetConfig['cloud'];
export const CLOUDS: readonly CloudName[] = ['aws', 'openstack'];

/** The default target config of each cloud, shipped beside its realization. */
export function defaultTargetFile(cloud: CloudName): string {
  return join(__dirname, cloud, 'target.yaml');
}

/** Reads and validates a target config file. */
export function loadTarget(file: string): TargetConfig {
  const source = resolve(file);
  const config: TargetConfig = { ...validate(targetSchema, parseYaml(readInput(source, 'target config'), source), source), source };
  if (config.cloud === 'aws' && config.emulator !== undefined && config.endpoint === undefined) {
    throw new InputError(source, 'emulator', `names the emulator ${config.emulator} but no endpoint to reach it`);
  }
  if (config.placement === 'hypervisors' && config.cloud === 'openstack' && config.dnsNameservers.length === 0) {
    throw new InputError(
      source,
      'dnsNameservers',
      "is required with placement: hypervisors: the guests' static addresses get no resolver from DHCP; name your cloud's resolvers",
    );
  }
  if (config.placement === 'hypervisors' && config.hypervisors.hostImage === undefined) {
    throw new InputError(
      source,
      'hypervisors.hostImage',
      'is required with placement: hypervisors: name the Debian 12 image the hosts boot',
    );
  }
  if (!config.allowWideAdminCidrs) {
    config.adminCidrs.forEach((block, i) => {
      if (Number(block.split('/')[1]) < WIDEST_ADMIN_PREFIX) {
        throw new InputError(
          source,
          `adminCidrs[${i}]`,
          `'${block}' opens SSH and the public APIs to more than a /${WIDEST_ADMIN_PREFIX}; name your operators' own ranges, or set allowWideAdminCidrs: true`,
        );
      }
    });
  }
  return config;
}

/** Refuses a target config of another cloud than the one asked for (`--target`, STAGING_TARGET), naming both. */
export function expectCloud(target: TargetConfig, cloud: CloudName, askedBy: string): void {
  if (target.cloud !== cloud) {
    throw new InputError(
      target.source,
      'cloud',
      `is '${target.cloud}', but ${askedBy} asks for '${cloud}': name a target config of that cloud, or drop ${askedBy}`,
    );
  }
}

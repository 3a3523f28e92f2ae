/**
 * The shape of what each cloud is, as plain data and pure functions (no cdktf, no
 * provider classes), for the parts of the project that must know a cloud without
 * building on it: the planner, the assets, the runbook. Each fact a consumer must
 * act on is a named kind (`secretStore`, `operatorAccess`, `dumpsStore`) that the
 * consumer maps with a `Record` of its own, so a new kind or a new cloud is a
 * compile error wherever it matters, never a silent default.
 */
import type { TargetConfig } from './config';
import type { PriceList } from './prices';

/** Where the nodes' secrets live. */
export type SecretStore =
  /** One SecureString parameter of SSM Parameter Store the nodes read with their instance profile. */
  | 'ssm-parameter'
  /** A file the operator copies to every node over SSH (no secret store assumed on the cloud). */
  | 'file-over-ssh';

/** How the operator's SSH reaches the private nodes. */
export type OperatorAccess =
  /** Through the foundation's EC2 Instance Connect Endpoint, by the SSH configuration it outputs. */
  | 'instance-connect-endpoint'
  /** Through the bastion or VPN of the operator's own network (the nodes' addresses are routed there). */
  | 'operator-network';

/** Where the database dumps are kept off the toolbox. */
export type DumpsStore =
  /** An S3 bucket the toolbox writes with its instance profile; its name is drawn at deploy time. */
  | 's3-bucket'
  /** A Swift container of the cloud, written by the operator (the toolbox holds no credentials of the cloud). */
  | 'object-container-by-operator';

/** How a hypervisor host gets its files (scripts, definitions, its guests' seeds). */
export type HostFileDelivery =
  /** The host copies each file from the assets bucket with its instance role, listed by a manifest there. */
  | 'bucket-fetch'
  /**
   * Terraform copies one bundle of the host's files to it over SSH once it is up, and the
   * host waits for it: the host holds no identity of the cloud to read a container with.
   */
  | 'bundle-over-ssh';

/** Wording of the fidelity table where the cloud decides it. */
export interface FidelityWording {
  /** Why the base images keep (or do not keep) production's OS. */
  readonly baseImages: string;
  /** What the controllers run on. */
  readonly nodes: string;
  /** How the tenant VLANs travel. */
  readonly tenantVlans: string;
  /** Why they travel that way. */
  readonly tenantVlansWhy: string;
  /** What stands in for production's load balancer. */
  readonly edge: string;
}

export interface CloudFacts<C extends TargetConfig = TargetConfig> {
  /** Terraform type of the edge's listeners: the only resources a cut-over or a rollback changes. */
  readonly listenerType: string;
  /** How tenant VLANs cross between compute nodes: inside a VXLAN overlay, or on the cloud's own network. */
  readonly tenantTransport: 'overlay' | 'native';
  /** The cloud's limit on user data, in bytes before base64. */
  readonly userDataLimit: number;
  /**
   * How a node of a size finds its `index`-th data volume: a stable path, or a locator its
   * bootstrap resolves (assets/storage.ts), from the part of the path the volume's id gives
   * (an expression, or a stand-in for review).
   */
  volumeDevice(size: string, index: number, volumeId: string): string;
  /** Field of the target config that pins sizes per role, for error messages. */
  readonly sizeOverrideField: string;
  readonly secretStore: SecretStore;
  readonly operatorAccess: OperatorAccess;
  readonly dumpsStore: DumpsStore;
  /** A rehearsal's bucket (container) of a purpose: its name, or where the cloud draws the rest at deploy, the name's prefix. */
  readonly bucketName: (rehearsalId: string, purpose: 'dumps' | 'backups' | 'assets') => string;
  /**
   * The foundation's Terraform addresses that hold production data (the dumps and backups
   * buckets, their settings and key): what `keepBackups` takes out of state before the teardown.
   */
  readonly productionDataAddresses: readonly string[];
  readonly fidelity: FidelityWording;
  readonly hostFileDelivery: HostFileDelivery;
  /** Debian 12 packages a hypervisor host needs to get its files (the cloud's CLI where it fetches them itself). */
  readonly hostFetchPackages: readonly string[];
  /**
   * The instance metadata service a KVM guest reaches through its host, reading the host's
   * role (AWS: the guests' secrets and assets, as an instance node reads them); none where
   * the guests get nothing from it.
   */
  readonly guestMetadataService: { readonly address: string; readonly port: number } | undefined;
  /** Name servers a KVM guest is configured with (its static address has no DHCP to tell it), from the target config. */
  guestNameservers(config: C): readonly string[];
  /** Sizes and prices the planner may choose from. */
  prices(config: C): PriceList;
}

/**
 * A hypervisor host's user data: a current Debian (its cloud-init, its kernel's
 * KVM, its libvirt) that gets its guests' definitions (from the assets bucket, or in
 * a bundle Terraform copies to it over SSH) and brings them up with two boot services, the network first and libvirt's
 * guests after it. The guests' own documents (their seeds) are the node user
 * data of an instance placement, unchanged: only where they boot differs.
 *
 * Everything but the units goes to the bucket (or bundle), whatever the size: a host of
 * forty guests carries a few hundred kilobytes of definitions, far over any
 * cloud's user-data limit, and one path keeps the small hosts like the large ones.
 */
import { dirname } from 'node:path';
import type { HostPlan } from '../plan/placement';
import { NETWORK_ROLES, type NodePlan, type StagingPlan } from '../plan/types';
import { renderCloudConfig, type CloudConfig } from './cloud-init';
import type { DevicePath } from './devices';
import type { SecurityRule } from '../plan/security';
import { FIREWALL_FILE, hostFirewall, hostFirewallInput, type HostFirewallInput } from './host-firewall';
import { HOST_BUNDLE } from './host-bundle';
import { DEFINITIONS_DIR, hostGuestsScript } from './host-guests';
import { hostNetworkScript, ROUTED_ROLES, type HostNetwork, type RoutedRole } from './host-network';
import { gatewayOf } from './interfaces';
import { domainXml, libvirtNetworkOf, networkXml } from './libvirt';
import type { BucketFetch, BucketObject, UserDataParts } from './user-data-limit';

export const HOST_NETWORK_SCRIPT = '/usr/local/sbin/staging-host-network';
export const HOST_GUESTS_SCRIPT = '/usr/local/sbin/staging-host-guests';
export const HOST_NETWORK_UNIT = 'staging-host-network.service';
export const HOST_GUESTS_UNIT = 'staging-host-guests.service';
/** The host's list of files to fetch, `<mode> <path>` per line. */
export const HOST_MANIFEST = '/etc/staging/files';

/** Debian 12 packages: libvirt's daemon, QEMU with KVM, qemu-img for the overlays, genisoimage for the seeds, nft for the guests' groups. */
const HOST_PACKAGES = ['libvirt-daemon-system', 'qemu-system-x86', 'qemu-utils', 'genisoimage', 'nftables'];

export interface HostBootstrapProps {
  readonly plan: StagingPlan;
  readonly host: HostPlan;
  /** The host's own addresses and the other hosts' tenant addresses. */
  readonly network: Omit<HostNetwork, 'guests' | 'gateways'>;
  /** The plan's security rules, which the host keeps for each guest, and where the operators' access path comes from. */
  readonly rules: readonly SecurityRule[];
  readonly operatorSources: readonly string[];
  /** The cloud's instance metadata service, which the guests reach as their host (assets/host-firewall.ts). @default none */
  readonly metadataService?: HostFirewallInput['metadataService'];
  /** Where the cloud attaches each guest volume to the host. */
  readonly hostDevicePath: DevicePath;
  readonly macs: ReadonlyMap<string, string>;
  /** A guest's seed: its user data and NoCloud meta-data. */
  readonly seed: (node: NodePlan) => { readonly userData: string; readonly metaData: string };
  /** How the host gets its files: each from the bucket by a command, or in one bundle Terraform copies to it. */
  readonly delivery: HostDelivery;
  /** The packages getting them needs (the cloud's CLI), and curl for the base images. */
  readonly fetchPackages: readonly string[];
  /** A shell command putting an OS's base image at a path. */
  readonly fetchImage: (os: string, dest: string) => string;
}

/** How a host gets its files (the cloud's `HostFileDelivery`, with what it needs). */
export type HostDelivery =
  /** A command copying a bucket object to the host: the files are listed by a manifest fetched first. */
  | { readonly kind: 'bucket-fetch'; readonly fetch: BucketFetch }
  /** The bundle (assets/host-bundle.ts) put at HOST_BUNDLE by Terraform's SSH: the host waits for it. */
  | { readonly kind: 'bundle-over-ssh' };

/** How long a host's first boot waits for its bundle: Terraform copies it once the host answers SSH. */
export const BUNDLE_WAIT_SECONDS = 1800;

const unit = (description: string, order: readonly string[], exec: string, timeout?: string): string =>
  [
    '[Unit]',
    `Description=${description}`,
    ...order,
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    ...(timeout ? [`TimeoutStartSec=${timeout}`] : []),
    `ExecStart=${exec}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');

/** Bucket key of a host's file: one folder per host, the file's absolute path below it (as for nodes). */
export const hostBucketKey = (host: HostPlan, path: string): string => `hosts/${host.name}${path}`;

/** The host's inline user data and the bucket objects it fetches. */
export function hostBootstrap(props: HostBootstrapProps): UserDataParts {
  const { plan, host } = props;
  const guests = host.guests.map((name) => plan.nodes.find((n) => n.name === name)!);
  const gateway = (role: RoutedRole) =>
    gatewayOf(plan.networks.find((n) => n.role === role)!.subnets.find((s) => s.zone === host.zone)!.cidr);
  const gateways = Object.fromEntries(ROUTED_ROLES.map((role) => [role, gateway(role)])) as Record<RoutedRole, string>;
  const network = hostNetworkScript({ ...props.network, gateways, guests, firewallFile: FIREWALL_FILE });
  const firewall = hostFirewall(hostFirewallInput(plan.nodes, host.guests, props.rules, props.operatorSources, props.metadataService));
  const guestsScript = hostGuestsScript(host, plan.nodes, props.hostDevicePath, { fetchImage: props.fetchImage });
  const files: { path: string; content: string; permissions: string }[] = [
    { path: HOST_NETWORK_SCRIPT, content: network, permissions: '0755' },
    { path: HOST_GUESTS_SCRIPT, content: guestsScript, permissions: '0755' },
    { path: FIREWALL_FILE, content: firewall, permissions: '0644' },
    ...NETWORK_ROLES.map((role) => ({
      path: `${DEFINITIONS_DIR}/networks/${libvirtNetworkOf(role)}.xml`,
      content: networkXml(role),
      permissions: '0644',
    })),
    ...guests.flatMap((guest) => {
      const seed = props.seed(guest);
      return [
        {
          path: `${DEFINITIONS_DIR}/domains/${guest.name}.xml`,
          content: domainXml(guest, host, props.hostDevicePath, props.macs),
          permissions: '0644',
        },
        { path: `${DEFINITIONS_DIR}/seeds/${guest.name}/user-data`, content: seed.userData, permissions: '0600' },
        { path: `${DEFINITIONS_DIR}/seeds/${guest.name}/meta-data`, content: seed.metaData, permissions: '0600' },
      ];
    }),
  ];
  const fileObjects: BucketObject[] = files.map((f) => ({ key: hostBucketKey(host, f.path), ...f }));
  const { objects, fetchAll } = delivered(host, fileObjects, props.delivery);
  const config: CloudConfig = {
    header: [
      `Hypervisor host ${host.name} (${host.size.offer}, ${host.kvm} KVM): ${guests.length} guests of side ${host.side} in ${host.zone}.`,
    ],
    doc: {
      hostname: host.name,
      package_update: true,
      packages: [...HOST_PACKAGES, ...props.fetchPackages],
      write_files: [
        {
          path: `/etc/systemd/system/${HOST_NETWORK_UNIT}`,
          owner: 'root:root',
          permissions: '0644',
          // Before libvirtd: its autostarted guests need the bridges at every boot.
          content: unit(
            'Staging host network: guest routes, bridges, the tenant trunk',
            ['Wants=network-online.target', 'After=network-online.target', 'Before=libvirtd.service'],
            HOST_NETWORK_SCRIPT,
          ),
        },
        {
          path: `/etc/systemd/system/${HOST_GUESTS_UNIT}`,
          owner: 'root:root',
          permissions: '0644',
          // Base images download and volumes attach during the first boot: give it time.
          content: unit(
            'Staging guests: libvirt networks, overlays, seeds and domains',
            [`Requires=libvirtd.service ${HOST_NETWORK_UNIT}`, `After=libvirtd.service ${HOST_NETWORK_UNIT}`],
            HOST_GUESTS_SCRIPT,
            '1h',
          ),
        },
      ],
      runcmd: [
        ['sh', '-c', fetchAll.join('\n')],
        ['systemctl', 'daemon-reload'],
        ['systemctl', 'enable', '--now', HOST_NETWORK_UNIT, HOST_GUESTS_UNIT],
      ],
    },
  };
  return { inline: renderCloudConfig(config), bucketObjects: objects };
}

/** What the host's first boot runs to get its files, and the files as the stacks deliver them. */
type Delivered = { readonly objects: readonly BucketObject[]; readonly fetchAll: readonly string[] };

function delivered(host: HostPlan, files: readonly BucketObject[], delivery: HostDelivery): Delivered {
  switch (delivery.kind) {
    case 'bucket-fetch': {
      const { fetch } = delivery;
      // The list of files is itself a file: the user data stays the same size whatever the number of guests.
      const manifest: BucketObject = {
        key: hostBucketKey(host, HOST_MANIFEST),
        path: HOST_MANIFEST,
        content: files.map((o) => `${o.permissions} ${o.path}\n`).join(''),
        permissions: '0600',
      };
      // Each file root-only until it is whole, then its own mode (the key is its path below the host's folder).
      return {
        objects: [manifest, ...files],
        fetchAll: [
          'umask 077',
          `mkdir -p ${dirname(HOST_MANIFEST)} && ${fetch(manifest.key, HOST_MANIFEST)} || exit 1`,
          'while read -r mode f; do',
          `  mkdir -p "$(dirname "$f")" && ${fetch(hostBucketKey(host, '"$f"'), '"$f"')} && chmod "$mode" "$f" || exit 1`,
          `done < ${HOST_MANIFEST}`,
        ],
      };
    }
    // The bundle appears whole (renamed into place); a host that never gets it stops here, and the deploy's SSH says why.
    case 'bundle-over-ssh':
      return {
        objects: files,
        fetchAll: [
          'i=0',
          `until [ -s ${HOST_BUNDLE} ]; do`,
          `  i=$((i + 1)); [ "$i" -le ${BUNDLE_WAIT_SECONDS / 5} ] || { echo "no ${HOST_BUNDLE} after ${BUNDLE_WAIT_SECONDS} s" >&2; exit 1; }`,
          '  sleep 5',
          'done',
          `sh ${HOST_BUNDLE} || exit 1`,
        ],
      };
  }
}

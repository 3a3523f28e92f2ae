/**
 * What a hypervisor host hands libvirt for its guests (plan/placement.ts): one
 * domain per guest and one network per planned network role.
 *
 * The guests see only devices the era's kernels drive unmodified: virtio-blk
 * disks, virtio-net NICs, an IDE CD-ROM holding the NoCloud seed, on QEMU's
 * i440fx `pc` machine, which EL6's 2.6.32 boots as readily as EL7's 3.10.
 * Compute guests get the host's CPU as is (`host-passthrough`, so VMX reaches
 * them and the canary's servers run on KVM inside, as the plan says); the others
 * get `host-model`.
 */
import { createHash } from 'node:crypto';
import { networksOf } from '../plan/network';
import type { HostPlan } from '../plan/placement';
import type { NetworkRole, NodePlan } from '../plan/types';
import { byCodeUnits } from '../targets/prices';
import type { DevicePath } from './devices';

/** Where the host keeps its guests' disks: the qcow2 overlays, their base images and the seeds. */
export const GUEST_IMAGE_DIR = '/var/lib/libvirt/images';

/** The host bridge of a network role (Linux keeps interface names under 16 bytes). */
export const BRIDGE_OF: Record<NetworkRole, string> = {
  management: 'br-management',
  api: 'br-api',
  storage: 'br-storage',
  // A plain Linux bridge without VLAN filtering forwards 802.1Q frames as they are:
  // the guests' Neutron agents tag, the bridge (and the VXLAN port between hosts) carries the tags.
  tenant: 'br-tenant',
};

/** The libvirt network of a role, in bridge mode: libvirt attaches guests to the host's bridge and does no NAT or DHCP. */
export const libvirtNetworkOf = (role: NetworkRole): string => `staging-${role}`;

// Attributes are single-quoted, so `"` stays as it is: a volume path may hold a Terraform expression (`["key"]`) resolved at deploy.
const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');

export function networkXml(role: NetworkRole): string {
  return [
    '<network>',
    `  <name>${libvirtNetworkOf(role)}</name>`,
    "  <forward mode='bridge'/>",
    `  <bridge name='${BRIDGE_OF[role]}'/>`,
    '</network>',
    '',
  ].join('\n');
}

/**
 * Locally administered MACs in QEMU's 52:54:00 prefix, from a hash of the guest and
 * its network: stable when nodes are added or removed, so a redefined domain keeps
 * the MAC the guest's udev rules (EL6's 70-persistent-net.rules) bound to eth0…ethN.
 * Collisions within the plan are resolved in name order by rehashing with a counter.
 */
export function guestMacs(nodes: readonly NodePlan[]): ReadonlyMap<string, string> {
  const macs = new Map<string, string>();
  const taken = new Set<string>();
  for (const node of [...nodes].sort((a, b) => byCodeUnits(a.name, b.name))) {
    for (const role of networksOf(node.role)) {
      for (let attempt = 0; ; attempt++) {
        const digest = createHash('sha256').update(`${node.name}\u0000${role}\u0000${attempt}`).digest();
        const mac = ['52', '54', '00', ...[...digest.subarray(0, 3)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
        if (taken.has(mac)) continue;
        taken.add(mac);
        macs.set(`${node.name}/${role}`, mac);
        break;
      }
    }
  }
  return macs;
}

/**
 * Inside the guest, a data volume appears as a virtio disk whose serial is the
 * volume's planned name (virtio-blk serials hold at most 20 bytes: the names are
 * short, `d1` or `sdb`), so udev links it as /dev/disk/by-id/virtio-<name> where the
 * kernel shows the serial. The locator also names the disk's place (vdb, vdc… in the
 * domain's order, the root disk first), which the guest takes where udev links no
 * virtio disk by serial (assets/storage.ts): its data disks are blank and alike at
 * first boot, and mounted by UUID after.
 */
export const guestDevicePath: DevicePath = (_node, volume, index) => `virtio:${volume.name}:vd${diskLetter(index + 1)}`;

const VIRTIO_SERIAL_MAX = 20;

export interface DomainOptions {
  /** `kvm` on a host; `qemu` (emulation) where a test defines the domain without /dev/kvm. @default 'kvm' */
  readonly domainType?: 'kvm' | 'qemu';
  /** Where the guest's overlay and seed are. @default GUEST_IMAGE_DIR */
  readonly imageDir?: string;
}

/** The qcow2 overlay holding a guest's root disk, over its OS's base image. */
export const overlayPath = (node: NodePlan, imageDir = GUEST_IMAGE_DIR): string => `${imageDir}/${node.name}.qcow2`;
/** The NoCloud seed (an ISO 9660 image labelled `cidata`) of a guest. */
export const seedPath = (node: NodePlan, imageDir = GUEST_IMAGE_DIR): string => `${imageDir}/${node.name}-seed.iso`;

/**
 * The domain definition of `node` on `host`. `hostDevicePath` gives where each of the
 * node's volumes is attached to the host (the cloud's by-id path); `macs` comes from
 * {@link guestMacs} over the whole plan.
 */
export function domainXml(
  node: NodePlan,
  host: HostPlan,
  hostDevicePath: DevicePath,
  macs: ReadonlyMap<string, string>,
  options: DomainOptions = {},
): string {
  if (!host.guests.includes(node.name)) throw new Error(`${node.name} is not a guest of ${host.name}`);
  const compute = node.hypervisor !== undefined;
  const imageDir = options.imageDir ?? GUEST_IMAGE_DIR;
  const disks = node.volumes.map((volume, index) => {
    if (Buffer.byteLength(volume.name) > VIRTIO_SERIAL_MAX)
      throw new Error(`${node.name}: volume name ${volume.name} is longer than a virtio serial (${VIRTIO_SERIAL_MAX} bytes)`);
    return [
      "    <disk type='block' device='disk'>",
      "      <driver name='qemu' type='raw' cache='none' io='native'/>",
      `      <source dev='${escapeXml(hostDevicePath(node, volume, index))}'/>`,
      `      <target dev='vd${diskLetter(index + 1)}' bus='virtio'/>`,
      `      <serial>${escapeXml(volume.name)}</serial>`,
      '    </disk>',
    ];
  });
  const nics = networksOf(node.role).map((role) => {
    const mac = macs.get(`${node.name}/${role}`);
    if (!mac) throw new Error(`${node.name}: no MAC planned for its ${role} interface`);
    return [
      "    <interface type='network'>",
      `      <mac address='${mac}'/>`,
      `      <source network='${libvirtNetworkOf(role)}'/>`,
      "      <model type='virtio'/>",
      // Routed networks: guests reach each other only through the host's firewall (assets/host-firewall.ts).
      // The tenant trunk stays open between ports: it is Neutron's L2, isolated by its own VLANs.
      ...(role === 'tenant' ? [] : ["      <port isolated='yes'/>"]),
      '    </interface>',
    ];
  });
  return [
    `<domain type='${options.domainType ?? 'kvm'}'>`,
    `  <name>${escapeXml(node.name)}</name>`,
    // A fixed UUID, so that the boot script's redefine updates the domain instead of being refused as a second one.
    `  <uuid>${domainUuid(node)}</uuid>`,
    `  <description>${escapeXml(`${node.role} of side ${node.side}, ${node.release} on ${node.os}; guest of ${host.name}`)}</description>`,
    `  <memory unit='MiB'>${node.size.memoryGiB * 1024}</memory>`,
    `  <vcpu placement='static'>${node.size.vcpus}</vcpu>`,
    '  <os>',
    "    <type arch='x86_64' machine='pc'>hvm</type>",
    "    <boot dev='hd'/>",
    '  </os>',
    '  <features>',
    '    <acpi/>',
    '    <apic/>',
    '  </features>',
    // VMX reaches the guest only with the host's CPU passed through; host-model keeps the others migratable.
    compute ? "  <cpu mode='host-passthrough'/>" : "  <cpu mode='host-model'/>",
    "  <clock offset='utc'/>",
    '  <on_poweroff>destroy</on_poweroff>',
    '  <on_reboot>restart</on_reboot>',
    '  <on_crash>restart</on_crash>',
    '  <devices>',
    "    <disk type='file' device='disk'>",
    "      <driver name='qemu' type='qcow2' cache='none'/>",
    `      <source file='${escapeXml(overlayPath(node, imageDir))}'/>`,
    "      <target dev='vda' bus='virtio'/>",
    '    </disk>',
    ...disks.flat(),
    "    <disk type='file' device='cdrom'>",
    "      <driver name='qemu' type='raw'/>",
    `      <source file='${escapeXml(seedPath(node, imageDir))}'/>`,
    "      <target dev='hdc' bus='ide'/>",
    '      <readonly/>',
    '    </disk>',
    ...nics.flat(),
    // The boot log survives the guest: the first thing to read when an era image does not come up.
    "    <serial type='pty'>",
    `      <log file='/var/log/libvirt/qemu/${escapeXml(node.name)}-console.log' append='on'/>`,
    "      <target port='0'/>",
    '    </serial>',
    "    <console type='pty'>",
    "      <target type='serial' port='0'/>",
    '    </console>',
    // EL6 guests generate their SSH host keys at first boot: without an entropy source that waits minutes.
    "    <rng model='virtio'>",
    "      <backend model='random'>/dev/urandom</backend>",
    '    </rng>',
    "    <memballoon model='virtio'/>",
    '  </devices>',
    '</domain>',
    '',
  ].join('\n');
}

/** A name-based UUID (RFC 4122 version 5 layout over SHA-256 bits): the same guest, the same UUID. */
export function domainUuid(node: NodePlan): string {
  const b = createHash('sha256').update(`staging-guest\u0000${node.name}`).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** vda, vdb, … vdz, vdaa: the kernel's own naming, which libvirt's target names follow. */
function diskLetter(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(97 + ((n - 1) % 26)) + name;
  return name;
}

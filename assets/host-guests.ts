/**
 * A hypervisor host's guests, brought up by the host itself: the libvirt
 * networks, each guest's qcow2 overlay over its OS's base image, its NoCloud
 * seed, its domain, then start. Run at every boot after the host network
 * (assets/host-network.ts); idempotent, so a rerun starts what is stopped and
 * touches nothing else: an overlay or seed that exists is the guest's disk, never
 * recreated.
 */
import type { HostPlan } from '../plan/placement';
import { NETWORK_ROLES, type NodePlan } from '../plan/types';
import type { DevicePath } from './devices';
import { GUEST_IMAGE_DIR, libvirtNetworkOf, overlayPath, seedPath } from './libvirt';
import { shFunction, shQuote } from './shell';

/** Where the host keeps the definitions it was handed: networks/, domains/, seeds/<guest>/. */
export const DEFINITIONS_DIR = '/var/lib/staging/libvirt';

export interface HostGuestsOptions {
  /** Fail early unless the host has /dev/kvm; `qemu` where a test runs guests emulated. @default 'kvm' */
  readonly domainType?: 'kvm' | 'qemu';
  /** The KVM device the check looks for (a test names an absent one on a machine that has KVM). @default /dev/kvm */
  readonly kvmDevice?: string;
  /** @default GUEST_IMAGE_DIR */
  readonly imageDir?: string;
  /** @default DEFINITIONS_DIR */
  readonly definitionsDir?: string;
  /** A shell command putting the base image of an OS at `dest` (a bucket copy, a download). */
  readonly fetchImage: (os: string, dest: string) => string;
  /** How long to wait for a data volume the cloud attaches while the host boots. @default 600 */
  readonly volumeWaitSeconds?: number;
}

/** Base image of an OS on the host: one copy, shared by its guests' overlays. */
export const baseImagePath = (os: string, imageDir = GUEST_IMAGE_DIR): string => `${imageDir}/base/${os}.qcow2`;

/** The bash script bringing up `host`'s guests (`nodes`: the plan's, or at least the host's guests). */
export function hostGuestsScript(
  host: HostPlan,
  nodes: readonly NodePlan[],
  hostDevicePath: DevicePath,
  options: HostGuestsOptions,
): string {
  const imageDir = options.imageDir ?? GUEST_IMAGE_DIR;
  const defs = options.definitionsDir ?? DEFINITIONS_DIR;
  const wait = options.volumeWaitSeconds ?? 600;
  const guests = host.guests.map((name) => {
    const node = nodes.find((n) => n.name === name);
    if (!node) throw new Error(`${host.name}: guest ${name} is not in the plan`);
    return node;
  });
  const fail = (message: string) => `{ echo ${shQuote(`${host.name}: ${message}`)} >&2; exit 1; }`;
  const kvm = options.kvmDevice ?? '/dev/kvm';
  const lines = [
    '#!/bin/bash',
    `# The guests of ${host.name}: ${guests.length} KVM guests of side ${host.side} in ${host.zone}.`,
    'set -euo pipefail',
    `defs=${shQuote(defs)}`,
    '',
    ...(options.domainType === 'qemu'
      ? []
      : [`[ -e ${kvm} ] || ${fail(`no ${kvm}: the ${host.size.offer} host offers no KVM to its guests`)}`, '']),
    ...shFunction('network_up', 'A libvirt network in bridge mode, defined once, started and autostarted.', [
      'virsh net-info "$1" >/dev/null 2>&1 || virsh -q net-define "$defs/networks/$1.xml" >/dev/null',
      'virsh -q net-autostart "$1" >/dev/null',
      // Read whole, not piped into grep -q: under pipefail, grep leaving early fails the pipe (SIGPIPE) on a busy host.
      '[ "$(virsh net-info "$1" | awk \'$1 == "Active:" { print $2 }\')" = yes ] || virsh -q net-start "$1" >/dev/null',
    ]),
    ...shFunction('wait_for_block', "A data volume the cloud attaches while the host boots: wait for it, don't start without it.", [
      `local i=0`,
      `until [ -b "$1" ]; do`,
      `  i=$((i + 5))`,
      `  [ "$i" -le ${wait} ] || { echo "$2: volume $1 did not appear in ${wait} s" >&2; exit 1; }`,
      '  sleep 5',
      'done',
    ]),
    ...shFunction(
      'guest_up',
      'A guest: overlay and seed made once, then defined, autostarted and started. Args: name, base image, root GiB, overlay, seed.',
      [
        `[ -s "$2" ] || { echo "$1: no base image at $2" >&2; exit 1; }`,
        '[ -e "$4" ] || qemu-img create -q -f qcow2 -F qcow2 -b "$2" "$4" "$3G"',
        // cloud-init's NoCloud finds its seed by the filesystem label cidata (DataSourceNoCloud).
        '[ -e "$5" ] || genisoimage -quiet -output "$5" -volid cidata -joliet -rock "$defs/seeds/$1/user-data" "$defs/seeds/$1/meta-data"',
        'virsh -q define "$defs/domains/$1.xml" >/dev/null',
        'virsh -q autostart "$1" >/dev/null',
        '[ "$(virsh domstate "$1")" = running ] || virsh -q start "$1" >/dev/null',
      ],
    ),
    ...NETWORK_ROLES.map((role) => `network_up ${libvirtNetworkOf(role)}`),
    '',
  ];
  const oses = [...new Set(guests.map((g) => g.os))].sort();
  for (const os of oses) {
    const base = baseImagePath(os, imageDir);
    lines.push(`[ -s ${shQuote(base)} ] || { mkdir -p ${shQuote(`${imageDir}/base`)} && ${options.fetchImage(os, base)}; }`);
  }
  for (const guest of guests) {
    lines.push('', `# ${guest.name}: ${guest.role}, ${guest.size.vcpus} vCPU, ${guest.size.memoryGiB} GiB`);
    guest.volumes.forEach((volume, index) =>
      lines.push(`wait_for_block ${shQuote(hostDevicePath(guest, volume, index))} ${shQuote(`${guest.name} ${volume.name}`)}`),
    );
    const args = [
      guest.name,
      baseImagePath(guest.os, imageDir),
      String(guest.rootVolumeGiB),
      overlayPath(guest, imageDir),
      seedPath(guest, imageDir),
    ];
    lines.push(`guest_up ${args.map(shQuote).join(' ')}`);
  }
  lines.push('');
  return lines.join('\n');
}

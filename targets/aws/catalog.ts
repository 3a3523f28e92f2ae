/**
 * EC2 instance types the planner may pick, kept as data. Prices are on-demand
 * Linux list prices in us-east-1, rounded, as of the date below: refresh them
 * (aws pricing get-products) before trusting a budget to the cent.
 */
import type { Offer } from '../prices';
import { XEN_EBS_DEVICES } from './disks';

export const AWS_PRICES = {
  region: 'us-east-1',
  date: '2025-11-01',
  currency: 'USD',
  /** gp3 storage, 0.08 USD per GiB-month over 730 hours. */
  volumePerGiBHour: 0.08 / 730,
  /** Network load balancer hour, before capacity units. */
  loadBalancerPerHour: 0.0225,
  /** NAT gateway hour, before data processed. */
  natGatewayPerHour: 0.045,
  /** A public IPv4 address, in use or not (since February 2024). */
  publicIpv4PerHour: 0.005,
  /** Between availability zones: 0.01 USD per GB out of one and 0.01 into the other. */
  interZonePerGiB: 0.02,
  /** To the internet, the first 10 TB of a month. */
  egressPerGiB: 0.09,
  /** Processed by a NAT gateway (the nodes' package downloads). */
  natPerGiB: 0.045,
} as const;

/** How the instance shows its disks and NIC to the guest (DescribeInstanceTypes' Hypervisor). */
type Platform = 'nitro' | 'xen';

type Row = [
  name: string,
  vcpus: number,
  memoryGiB: number,
  pricePerHour: number,
  platform: Platform,
  network: [interfaces: number, addresses: number],
  kvm?: Offer['kvm'],
];

// vCPUs, memory, hypervisor, ENA and NVMe support and the interface and address limits are
// DescribeInstanceTypes' own, as moto 5.2.1 bundles them (ec2/resources/instance_types.json.gz):
// Nitro types (metal included) say ENA `required` and NVMe `required`; the Xen types m4 and c4
// say ENA `unsupported`, r4 `supported` (without the image's ENA flag it runs on Xen's own NIC).
const ROWS: readonly Row[] = [
  ['c7i.large', 2, 4, 0.0893, 'nitro', [3, 10]],
  ['c7i.xlarge', 4, 8, 0.1785, 'nitro', [4, 15]],
  ['c7i.2xlarge', 8, 16, 0.357, 'nitro', [4, 15]],
  ['m7i.large', 2, 8, 0.1008, 'nitro', [3, 10]],
  ['m7i.xlarge', 4, 16, 0.2016, 'nitro', [4, 15]],
  ['m7i.2xlarge', 8, 32, 0.4032, 'nitro', [4, 15]],
  ['m7i.4xlarge', 16, 64, 0.8064, 'nitro', [8, 30]],
  ['r7i.large', 2, 16, 0.1323, 'nitro', [3, 10]],
  ['r7i.xlarge', 4, 32, 0.2646, 'nitro', [4, 15]],
  ['r7i.2xlarge', 8, 64, 0.5292, 'nitro', [4, 15]],
  ['r7i.4xlarge', 16, 128, 1.0584, 'nitro', [8, 30]],
  // Previous-generation Xen HVM families: the sizes a stock EL image before 7.4 boots (no ENA, no
  // NVMe needed), picked only for the nodes whose OS needs them.
  ['c4.large', 2, 3.75, 0.1, 'xen', [3, 10]],
  ['c4.xlarge', 4, 7.5, 0.199, 'xen', [4, 15]],
  ['c4.2xlarge', 8, 15, 0.398, 'xen', [4, 15]],
  ['c4.4xlarge', 16, 30, 0.796, 'xen', [8, 30]],
  ['m4.large', 2, 8, 0.1, 'xen', [2, 10]],
  ['m4.xlarge', 4, 16, 0.2, 'xen', [4, 15]],
  ['m4.2xlarge', 8, 32, 0.4, 'xen', [4, 15]],
  ['m4.4xlarge', 16, 64, 0.8, 'xen', [8, 30]],
  ['m4.10xlarge', 40, 160, 2.0, 'xen', [8, 30]],
  ['r4.large', 2, 15.25, 0.133, 'xen', [3, 10]],
  ['r4.xlarge', 4, 30.5, 0.266, 'xen', [4, 15]],
  ['r4.2xlarge', 8, 61, 0.532, 'xen', [4, 15]],
  ['r4.4xlarge', 16, 122, 1.064, 'xen', [8, 30]],
  // Nested virtualization (CPU option) exists on the 8th-generation Intel families only.
  ['c8i.large', 2, 4, 0.0938, 'nitro', [3, 20], 'nested'],
  ['c8i.xlarge', 4, 8, 0.1875, 'nitro', [4, 30], 'nested'],
  ['c8i.2xlarge', 8, 16, 0.3751, 'nitro', [4, 30], 'nested'],
  ['m8i.large', 2, 8, 0.1058, 'nitro', [3, 20], 'nested'],
  ['m8i.xlarge', 4, 16, 0.2117, 'nitro', [4, 30], 'nested'],
  ['m8i.2xlarge', 8, 32, 0.4234, 'nitro', [4, 30], 'nested'],
  ['m8i.4xlarge', 16, 64, 0.8467, 'nitro', [8, 50], 'nested'],
  ['r8i.large', 2, 16, 0.1389, 'nitro', [3, 20], 'nested'],
  ['r8i.xlarge', 4, 32, 0.2778, 'nitro', [4, 30], 'nested'],
  ['r8i.2xlarge', 8, 64, 0.5557, 'nitro', [4, 30], 'nested'],
  ['m5zn.metal', 48, 192, 3.9641, 'nitro', [15, 50], 'hardware'],
  ['c5.metal', 96, 192, 4.08, 'nitro', [15, 50], 'hardware'],
  ['c7i.metal-24xl', 96, 192, 4.284, 'nitro', [15, 50], 'hardware'],
  ['m5.metal', 96, 384, 4.608, 'nitro', [15, 50], 'hardware'],
  ['m7i.metal-24xl', 96, 384, 4.8384, 'nitro', [15, 50], 'hardware'],
];

/** What each platform needs of the guest kernel, and how many EBS volumes it takes. */
const PLATFORM: Record<Platform, Pick<Offer, 'needs' | 'maxVolumes' | 'previousGeneration'>> = {
  nitro: { needs: ['ena', 'nvme'] },
  // Xen's sd-style disk numbers reach /dev/sdp (docs/misc/vbd-interface.txt of Xen): sdf to sdp, 11 volumes.
  xen: { needs: ['xen-pv'], maxVolumes: XEN_EBS_DEVICES, previousGeneration: true },
};

export const AWS_INSTANCE_TYPES: readonly Offer[] = ROWS.map(([name, vcpus, memoryGiB, pricePerHour, platform, network, kvm]) => ({
  name,
  vcpus,
  memoryGiB,
  pricePerHour,
  ...(kvm ? { kvm } : {}),
  network: { interfaces: network[0], addressesPerInterface: network[1] },
  ...PLATFORM[platform],
}));

const PLATFORM_OF = new Map(ROWS.map((row) => [row[0], row[4]]));

/** How an instance type shows its EBS volumes: as NVMe (Nitro) or as Xen virtual disks. */
export function ebsBusOf(instanceType: string): 'nvme' | 'xen' {
  return PLATFORM_OF.get(instanceType) === 'xen' ? 'xen' : 'nvme';
}

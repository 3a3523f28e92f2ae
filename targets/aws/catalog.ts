/**
 * EC2 instance types the planner may pick, kept as data. Prices are on-demand
 * Linux list prices in us-east-1, rounded, as of the date below: refresh them
 * (aws pricing get-products) before trusting a budget to the cent.
 */
import type { Offer } from '../prices';

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

type Row = [
  name: string,
  vcpus: number,
  memoryGiB: number,
  pricePerHour: number,
  kvm?: Offer['kvm'],
  network?: [interfaces: number, addresses: number],
];

const ROWS: readonly Row[] = [
  ['c7i.large', 2, 4, 0.0893],
  ['c7i.xlarge', 4, 8, 0.1785],
  ['c7i.2xlarge', 8, 16, 0.357],
  ['m7i.large', 2, 8, 0.1008],
  ['m7i.xlarge', 4, 16, 0.2016],
  ['m7i.2xlarge', 8, 32, 0.4032],
  ['m7i.4xlarge', 16, 64, 0.8064],
  ['r7i.large', 2, 16, 0.1323],
  ['r7i.xlarge', 4, 32, 0.2646],
  ['r7i.2xlarge', 8, 64, 0.5292],
  ['r7i.4xlarge', 16, 128, 1.0584],
  // Nested virtualization (CPU option) exists on the 8th-generation Intel families only. The sizes a
  // hypervisor host may take carry their interface and address limits (DescribeInstanceTypes'
  // NetworkInfo, as moto 5.2.1 bundles it in ec2/resources/instance_types.json.gz).
  ['c8i.large', 2, 4, 0.0938, 'nested', [3, 20]],
  ['c8i.xlarge', 4, 8, 0.1875, 'nested', [4, 30]],
  ['c8i.2xlarge', 8, 16, 0.3751, 'nested', [4, 30]],
  ['m8i.large', 2, 8, 0.1058, 'nested', [3, 20]],
  ['m8i.xlarge', 4, 16, 0.2117, 'nested', [4, 30]],
  ['m8i.2xlarge', 8, 32, 0.4234, 'nested', [4, 30]],
  ['m8i.4xlarge', 16, 64, 0.8467, 'nested', [8, 50]],
  ['r8i.large', 2, 16, 0.1389, 'nested', [3, 20]],
  ['r8i.xlarge', 4, 32, 0.2778, 'nested', [4, 30]],
  ['r8i.2xlarge', 8, 64, 0.5557, 'nested', [4, 30]],
  ['m5zn.metal', 48, 192, 3.9641, 'hardware', [15, 50]],
  ['c5.metal', 96, 192, 4.08, 'hardware', [15, 50]],
  ['c7i.metal-24xl', 96, 192, 4.284, 'hardware', [15, 50]],
  ['m5.metal', 96, 384, 4.608, 'hardware', [15, 50]],
  ['m7i.metal-24xl', 96, 384, 4.8384, 'hardware', [15, 50]],
];

export const AWS_INSTANCE_TYPES: readonly Offer[] = ROWS.map(([name, vcpus, memoryGiB, pricePerHour, kvm, network]) => ({
  name,
  vcpus,
  memoryGiB,
  pricePerHour,
  ...(kvm ? { kvm } : {}),
  ...(network ? { network: { interfaces: network[0], addressesPerInterface: network[1] } } : {}),
}));

/** What AWS is, for the planner, the assets and the runbook (plain data: loads no provider). */
import { InputError } from '../../profile/errors';
import type { CloudFacts } from '../cloud-facts';
import type { AwsTargetConfig } from '../config';
import { AWS_INSTANCE_TYPES, AWS_PRICES, ebsBusOf } from './catalog';
import { ebsDeviceName, NVME_BY_ID_PREFIX, xenVbdLocator } from './disks';
import { awsBucketPrefix } from './naming';

/** EC2's limit on user data, in bytes, before base64. */
export const AWS_USER_DATA_LIMIT = 16384;

export const AWS_FACTS: CloudFacts<AwsTargetConfig> = {
  listenerType: 'aws_lb_listener',
  // AWS VPCs drop 802.1Q tags: the tenant VLANs ride a VXLAN overlay between compute nodes.
  tenantTransport: 'overlay',
  userDataLimit: AWS_USER_DATA_LIMIT,
  // Nitro shows EBS volumes as NVMe, linked by volume id; Xen types as Xen disks, found by their attachment name (disks.ts).
  volumeDevice: (size, index, volumeId) =>
    ebsBusOf(size) === 'xen' ? xenVbdLocator(ebsDeviceName(index)) : `${NVME_BY_ID_PREFIX}${volumeId}`,
  sizeOverrideField: 'instanceTypes',
  secretStore: 'ssm-parameter',
  operatorAccess: 'instance-connect-endpoint',
  dumpsStore: 's3-bucket',
  // Bucket names are global: the foundation draws the rest of the name.
  bucketName: awsBucketPrefix,
  // targets/aws/foundation.ts: each bucket with its public access block, encryption and versioning, and their key.
  productionDataAddresses: [
    ...['dumps', 'backups'].flatMap((purpose) => [
      `aws_s3_bucket.bucket-${purpose}`,
      `aws_s3_bucket_public_access_block.bucket-${purpose}-private`,
      `aws_s3_bucket_server_side_encryption_configuration.bucket-${purpose}-sse`,
      `aws_s3_bucket_versioning.bucket-${purpose}-versions`,
    ]),
    'aws_kms_key.production-data',
  ],
  hostFileDelivery: 'bucket-fetch',
  hostFetchPackages: ['awscli'],
  guestMetadataService: { address: '169.254.169.254', port: 80 },
  // The VPC's resolver answers at its base address plus two (the "Amazon DNS server" of the VPC guide).
  guestNameservers: ({ networkCidr }) => {
    const [a, b, c, d] = networkCidr.split('/')[0].split('.').map(Number);
    return [[a, b, c, d + 2].join('.')];
  },
  fidelity: {
    baseImages:
      'same OS release; EC2 Nitro types need ENA and NVMe drivers, which EL images before 7.4 lack: their nodes take the previous-generation Xen types (m4, c4, r4), compute nodes have none (KVM is on Nitro only)',
    nodes: 'EC2 instances',
    tenantVlans: 'same VLAN ids inside a VXLAN overlay between compute nodes',
    tenantVlansWhy: 'AWS VPCs do not carry 802.1Q tags',
    edge: 'network load balancer, one target group per side',
  },
  prices: (config) => {
    // List prices differ per region: a budget checked against another region's would mislead.
    if (config.region !== AWS_PRICES.region) {
      throw new InputError(
        config.source,
        'region',
        `'${config.region}' has no prices in targets/aws/catalog.ts (it holds ${AWS_PRICES.region}'s of ${AWS_PRICES.date}); add that region's prices, or use ${AWS_PRICES.region}`,
      );
    }
    return {
      currency: AWS_PRICES.currency,
      source: `AWS on-demand list prices, ${AWS_PRICES.region}, ${AWS_PRICES.date}`,
      offers: AWS_INSTANCE_TYPES,
      volumePerGiBHour: AWS_PRICES.volumePerGiBHour,
      loadBalancerPerHour: AWS_PRICES.loadBalancerPerHour,
      overrides: config.instanceTypes,
      computeKvm: config.computeKvm === 'metal' ? 'hardware' : 'nested',
      // EBS device names /dev/sdf to /dev/sdy; Nitro types share about 28 attachments with the interfaces.
      maxVolumesPerNode: 20,
      transfer: { interZonePerGiB: AWS_PRICES.interZonePerGiB, egressPerGiB: AWS_PRICES.egressPerGiB, natPerGiB: AWS_PRICES.natPerGiB },
      // The foundation's one NAT gateway (package archives) and its address; the load balancer's are in its price.
      fixed: [
        { item: 'NAT gateway', count: 1, unitPerHour: AWS_PRICES.natGatewayPerHour },
        { item: 'public IPv4 address (NAT gateway)', count: 1, unitPerHour: AWS_PRICES.publicIpv4PerHour },
      ],
    };
  },
};

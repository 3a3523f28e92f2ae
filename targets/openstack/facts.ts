/** What an OpenStack public cloud is, for the planner, the assets and the runbook (plain data: loads no provider). */
import type { CloudFacts } from '../cloud-facts';
import type { OpenstackTargetConfig } from '../config';

/** Nova's user_data takes 65535 bytes of base64, so 49149 raw bytes. */
export const OPENSTACK_USER_DATA_LIMIT = 49149;

export const OPENSTACK_FACTS: CloudFacts<OpenstackTargetConfig> = {
  listenerType: 'openstack_lb_listener_v2',
  // A private tenant network with port security off carries the tagged frames itself.
  tenantTransport: 'native',
  userDataLimit: OPENSTACK_USER_DATA_LIMIT,
  // Cinder volumes on KVM: /dev/disk/by-id/virtio-<first 20 characters of the volume id>.
  volumeDevice: (_size, _index, volumeId) => `/dev/disk/by-id/virtio-${volumeId}`,
  sizeOverrideField: 'roleFlavors',
  secretStore: 'file-over-ssh',
  operatorAccess: 'operator-network',
  dumpsStore: 'object-container-by-operator',
  // Container names are per project: the rehearsal's id is enough.
  bucketName: (rehearsalId, purpose) => `${rehearsalId}-${purpose}`,
  // targets/openstack/index.ts: the two containers.
  productionDataAddresses: [
    'openstack_objectstorage_container_v1.container-dumps',
    'openstack_objectstorage_container_v1.container-backups',
  ],
  // Nodes hold no identity of the cloud to read a container with: Terraform hands each host its files (targets/openstack/hosts.ts).
  hostFileDelivery: 'bundle-over-ssh',
  hostFetchPackages: [],
  // The guests get their secrets over SSH (file-over-ssh): nothing to read from Nova's metadata.
  guestMetadataService: undefined,
  // The resolvers the target config names, which the subnets hand out too (targets/config.ts requires them for hypervisors).
  guestNameservers: (config) => config.dnsNameservers,
  fidelity: {
    baseImages: 'same OS release, from the images the target config names',
    nodes: 'public-cloud instances',
    tenantVlans: 'same VLAN ids on a private tenant network with port security off',
    tenantVlansWhy: 'the public cloud network carries the tagged frames over its own overlay',
    edge: 'Octavia load balancer, one pool per side',
  },
  prices: (config) => ({
    currency: config.currency,
    source: `flavor prices of target cloud '${config.cloudName}'`,
    offers: config.flavors.map((f) => ({
      name: f.name,
      vcpus: f.vcpus,
      memoryGiB: f.memoryGiB,
      pricePerHour: f.pricePerHour,
      ...(f.baremetal ? { kvm: 'hardware' as const } : f.nestedVirtualization ? { kvm: 'nested' as const } : {}),
      // A port takes its fixed address and as many allowed address pairs as Neutron admits; Nova bounds no port count here.
      network: { addressesPerInterface: config.maxAllowedAddressPairs + 1 },
    })),
    volumePerGiBHour: config.volumePricePerGiBHour,
    loadBalancerPerHour: config.loadBalancerPricePerHour,
    overrides: config.roleFlavors,
    // virtio disks vdb to vdz.
    maxVolumesPerNode: 25,
    // No NAT gateway: nodes reach the archives through the router, whose traffic the config prices as egress, if at all.
    transfer: { interZonePerGiB: config.transferPrices.interZonePerGiB, egressPerGiB: config.transferPrices.egressPerGiB, natPerGiB: 0 },
    // The edge's floating IP is priced with the load balancer by the target config.
    fixed: [],
  }),
};

/**
 * Every hypervisor host's documents from the plan and the target config: its user
 * data and the files it gets (assets/host-bootstrap.ts), with the target's facts
 * filled in: how the host gets them, where operators come from, the guests' resolver and
 * metadata service, the guests' base images. The stacks upload them; `npm run assets`
 * writes them for review.
 */
import type { HostPlan, StagingPlan } from '../plan/types';
import { securityRules } from '../plan/security';
import type { HostFileDelivery, OperatorAccess } from '../targets/cloud-facts';
import type { TargetConfig } from '../targets/config';
import { factsOf, guestNameservers } from '../targets/facts';
import type { DevicePath } from './devices';
import { hostBootstrap, type HostDelivery } from './host-bootstrap';
import { guestMacs } from './libvirt';
import { nocloudMetaData } from './nocloud';
import { assetOptionsFor } from './options';
import { shQuote } from './shell';
import { userDataParts, type PartsOptions, type UserDataParts } from './user-data-limit';

export interface HostDocumentOptions {
  /** The assets bucket's name, where known (deploy time). @default a stand-in that names it */
  readonly assetsBucket?: string;
  /** Where the host sees each guest volume. */
  readonly hostDevicePath: DevicePath;
  /** The operators' SSH public keys the guests take. */
  readonly publicKeys: readonly string[];
}

/** Where the operators' SSH comes into the staging from, as the hosts' guest firewalls admit it. */
const OPERATOR_SOURCES: Record<OperatorAccess, (plan: StagingPlan, target: TargetConfig) => readonly string[]> = {
  // The endpoint sits in the first zone's management subnet and connects from its own addresses there (targets/aws/foundation.ts).
  'instance-connect-endpoint': (plan, target) => [
    plan.networks.find((n) => n.role === 'management')!.subnets.find((s) => s.zone === target.availabilityZones[0])!.cidr,
  ],
  'operator-network': (_plan, target) => target.adminCidrs,
};

/** How the hosts of a cloud get their files. */
const DELIVERY: Record<HostFileDelivery, (options: PartsOptions, target: TargetConfig) => HostDelivery> = {
  'bucket-fetch': ({ bucketFetch }, target) => {
    if (!bucketFetch) throw new Error(`the ${target.cloud} target's hosts fetch from the assets bucket, but it gives them no command to`);
    return { kind: 'bucket-fetch', fetch: bucketFetch };
  },
  'bundle-over-ssh': () => ({ kind: 'bundle-over-ssh' }),
};

/** Downloads a base image to `dest` whole or not at all (a partial file would pass the script's size test). */
const downloadCommand = (url: string, dest: string): string =>
  `curl -fsSL --retry 5 -o ${shQuote(`${dest}.part`)} ${shQuote(url)} && mv ${shQuote(`${dest}.part`)} ${shQuote(dest)}`;

/**
 * The documents of each host. A guest's seed is its node document whole: a NoCloud seed
 * has no size limit, so a guest fetches nothing of its own.
 */
export function hostDocuments(plan: StagingPlan, target: TargetConfig): (host: HostPlan, options: HostDocumentOptions) => UserDataParts {
  if (plan.placement.kind !== 'hypervisors') throw new Error('hostDocuments: the plan places its nodes on instances, not on hosts');
  const hosts = plan.placement.hosts;
  const facts = factsOf(target.cloud);
  const rules = securityRules(plan, target.adminCidrs);
  const macs = guestMacs(plan.nodes);
  const operatorSources = OPERATOR_SOURCES[facts.operatorAccess](plan, target);
  const nameservers = guestNameservers(target);
  const images = target.hypervisors.guestImages;
  return (host, { assetsBucket, hostDevicePath, publicKeys }) => {
    const options = assetOptionsFor(plan, target, assetsBucket ? { assetsBucket } : {});
    return hostBootstrap({
      plan,
      host,
      network: { addresses: host.addresses, tenantPeers: hosts.filter((h) => h !== host).map((h) => h.addresses.tenant) },
      rules,
      operatorSources,
      metadataService: facts.guestMetadataService,
      hostDevicePath,
      macs,
      seed: (node) => ({
        userData: userDataParts(plan, node, options).inline,
        metaData: nocloudMetaData(plan, node, { nameservers, publicKeys }),
      }),
      delivery: DELIVERY[facts.hostFileDelivery](options, target),
      // curl downloads the guests' base images.
      fetchPackages: [...facts.hostFetchPackages, 'curl'],
      fetchImage: (os, dest) => downloadCommand(images[os], dest),
    });
  };
}

/**
 * Bootstrap user data of each node, rendered from the plan by the assets once the
 * target knows the volumes' device paths and the assets bucket's name.
 */
import { assetOptionsFor } from '../assets/options';
import { devicePathsFrom } from '../assets/devices';
import { userDataParts, type PartsOptions, type UserDataParts } from '../assets/user-data-limit';
import { InputError } from '../profile/errors';
import { hostBootstrap } from '../assets/host-bootstrap';
import { guestMacs } from '../assets/libvirt';
import { nocloudMetaData } from '../assets/nocloud';
import { shQuote } from '../assets/shell';
import { securityRules } from '../plan/security';
import type { HostPlan, NodePlan, StagingPlan } from '../plan/types';
import type { OperatorAccess } from '../targets/cloud-facts';
import type { TargetConfig } from '../targets/config';
import { factsOf } from '../targets/facts';
import type { Foundation, HostUserDataFor, UserDataFor } from '../targets/target';

/** Bytes kept free under the cloud's limit for values that replace their placeholders at deploy time. */
export const DEPLOY_TIME_SLACK = 1024;

/** Puts a file in the assets bucket, from the node's own stack. */
export type Upload = (key: string, content: string) => void;

export type NodeUserData = (node: NodePlan, foundation: Foundation, upload: Upload) => UserDataFor;

/**
 * User data within the cloud's limit: a node whose document is too big gets an inline
 * part that fetches its files from the assets bucket, and the files are uploaded.
 * `overrides` lets tests force a small limit.
 */
export function nodeUserData(plan: StagingPlan, target: TargetConfig, overrides: Partial<PartsOptions> = {}): NodeUserData {
  return (node, foundation, upload) => (paths) => {
    const options = assetOptionsFor(plan, target, {
      assetsBucket: foundation.buckets.assets,
      devicePath: devicePathsFrom(paths),
      ...overrides,
    });
    let parts: UserDataParts;
    try {
      // The text holds placeholders for values known only at deploy (bucket name, volume ids) that can be longer.
      parts = userDataParts(plan, node, { ...options, limit: options.limit - DEPLOY_TIME_SLACK });
    } catch (e) {
      throw new InputError(target.source, `nodes.${node.name}`, (e as Error).message.replace(`${node.name}: `, ''));
    }
    for (const object of parts.bucketObjects) upload(object.key, object.content);
    return parts.inline;
  };
}

export type HostUserData = (host: HostPlan, foundation: Foundation, upload: Upload) => HostUserDataFor;

/** Where the operators' SSH comes into the staging from, as the hosts' guest firewalls admit it. */
const OPERATOR_SOURCES: Record<OperatorAccess, (plan: StagingPlan, target: TargetConfig) => readonly string[]> = {
  // The endpoint sits in the first zone's management subnet and connects from its own addresses there (targets/aws/foundation.ts).
  'instance-connect-endpoint': (plan, target) => [
    plan.networks.find((n) => n.role === 'management')!.subnets.find((s) => s.zone === target.availabilityZones[0])!.cidr,
  ],
  'operator-network': (_plan, target) => target.adminCidrs,
};

/**
 * A hypervisor host's user data (assets/host-bootstrap.ts): its own document inline, every
 * script, definition and guest seed uploaded to its folder of the assets bucket. A guest's
 * seed is its node document whole: a NoCloud seed has no size limit, so nothing is fetched.
 */
export function hostUserData(plan: StagingPlan, target: TargetConfig): HostUserData {
  if (plan.placement.kind !== 'hypervisors') throw new Error('hostUserData: the plan places its nodes on instances, not on hosts');
  const hosts = plan.placement.hosts;
  const facts = factsOf(target.cloud);
  const rules = securityRules(plan, target.adminCidrs);
  const macs = guestMacs(plan.nodes);
  const operatorSources = OPERATOR_SOURCES[facts.operatorAccess](plan, target);
  const nameservers = facts.guestNameservers(target.networkCidr);
  const images = target.hypervisors.guestImages;
  return (host, foundation, upload) => (hostDevicePath, publicKeys) => {
    const options = assetOptionsFor(plan, target, { assetsBucket: foundation.buckets.assets });
    if (!options.bucketFetch) throw new Error(`the ${target.cloud} target gives its hosts no way to fetch from the assets bucket`);
    const parts = hostBootstrap({
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
      fetch: options.bucketFetch,
      // curl downloads the guests' base images.
      fetchPackages: [...facts.hostFetchPackages, 'curl'],
      fetchImage: (os, dest) => downloadCommand(images[os], dest),
    });
    if (Buffer.byteLength(parts.inline) > facts.userDataLimit - DEPLOY_TIME_SLACK) {
      throw new InputError(
        target.source,
        `placement`,
        `host ${host.name}'s user data is over the cloud's limit of ${facts.userDataLimit} bytes`,
      );
    }
    for (const object of parts.bucketObjects) upload(object.key, object.content);
    return parts.inline;
  };
}

/** Downloads a base image to `dest` whole or not at all (a partial file would pass the script's size test). */
const downloadCommand = (url: string, dest: string): string =>
  `curl -fsSL --retry 5 -o ${shQuote(`${dest}.part`)} ${shQuote(url)} && mv ${shQuote(`${dest}.part`)} ${shQuote(dest)}`;

/**
 * Bootstrap user data of each node, rendered from the plan by the assets once the
 * target knows the volumes' device paths and the assets bucket's name.
 */
import { hostBundle } from '../assets/host-bundle';
import { hostDocuments } from '../assets/host-documents';
import { assetOptionsFor } from '../assets/options';
import { devicePathsFrom } from '../assets/devices';
import { userDataParts, type PartsOptions, type UserDataParts } from '../assets/user-data-limit';
import { InputError } from '../profile/errors';
import type { HostPlan, NodePlan, StagingPlan } from '../plan/types';
import type { TargetConfig } from '../targets/config';
import type { HostFileDelivery } from '../targets/cloud-facts';
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

/** Where a host's files go: each to the assets bucket, or all into the bundle its target copies to it. */
const DELIVER: Record<HostFileDelivery, (host: HostPlan, parts: UserDataParts, upload: Upload) => string | undefined> = {
  'bucket-fetch': (_host, parts, upload) => {
    for (const object of parts.bucketObjects) upload(object.key, object.content);
    return undefined;
  },
  'bundle-over-ssh': (host, parts) => hostBundle(host, parts.bucketObjects),
};

/**
 * A hypervisor host's user data (assets/host-documents.ts): its own document inline, every
 * script, definition and guest seed uploaded to its folder of the assets bucket, or bundled
 * for the target to copy.
 */
export function hostUserData(plan: StagingPlan, target: TargetConfig): HostUserData {
  const documents = hostDocuments(plan, target);
  const facts = factsOf(target.cloud);
  const limit = facts.userDataLimit;
  return (host, foundation, upload) => (hostDevicePath, publicKeys) => {
    const parts = documents(host, { assetsBucket: foundation.buckets.assets, hostDevicePath, publicKeys });
    if (Buffer.byteLength(parts.inline) > limit - DEPLOY_TIME_SLACK) {
      throw new InputError(target.source, 'placement', `host ${host.name}'s user data is over the cloud's limit of ${limit} bytes`);
    }
    const bundle = DELIVER[facts.hostFileDelivery](host, parts, upload);
    return { userData: parts.inline, ...(bundle === undefined ? {} : { bundle }) };
  };
}

/**
 * The user-data size limit. AWS refuses raw user data over 16 KiB; cloud-init's
 * gzip form is no way out for text user data there, so a node whose document is
 * too big gets a small inline document that first fetches its files from the
 * assets bucket, and the files become bucket objects the stacks upload.
 */
import type { NodePlan, StagingPlan } from '../plan/types';
import { cloudConfig, renderCloudConfig, type CloudConfig, type UserDataOptions, type WriteFile } from './cloud-init';

export const userDataBytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Whether a rendered document fits a cloud's limit. */
export const fitsUserDataLimit = (text: string, limit: number): boolean => userDataBytes(text) <= limit;

/** Shell command that copies a bucket object to a path on the node. */
export type BucketFetch = (key: string, dest: string) => string;

/**
 * With the AWS CLI and the node's instance profile (read access to the assets bucket),
 * retried for five minutes: the objects are uploaded by the same deploy that boots the node.
 */
export const awsBucketFetch =
  (bucket: string, region: string): BucketFetch =>
  (key, dest) =>
    `{ n=0; until aws s3 cp --quiet --region ${region} s3://${bucket}/${key} ${dest}; do n=$((n + 1)); [ "$n" -lt 30 ] || exit 1; sleep 10; done; }`;

export interface BucketObject {
  readonly key: string;
  readonly content: string;
  /** Where the node puts it, and with which mode. */
  readonly path: string;
  readonly permissions: string;
}

export interface UserDataParts {
  /** The user data to pass to the instance. */
  readonly inline: string;
  /** Files the inline document fetches; empty when everything fits inline. */
  readonly bucketObjects: readonly BucketObject[];
}

export interface PartsOptions extends UserDataOptions {
  /** The cloud's user-data limit in bytes (its facts' `userDataLimit`). */
  readonly limit: number;
  readonly bucketFetch?: BucketFetch;
  /** The target config's AWS CLI profile and endpoint, which the secrets script uses whoever runs it. */
  readonly operatorAws?: { readonly profile?: string; readonly endpoint?: string };
}

/** Bucket key of a node's file: one folder per node, the file's absolute path below it. */
export const bucketKeyOf = (node: NodePlan, file: WriteFile): string => `nodes/${node.name}${file.path}`;

/** The inline document when files move to the bucket: fetch them (root-only until chmod) before anything runs. */
function fetchingConfig(
  config: CloudConfig,
  node: NodePlan,
  objects: readonly BucketObject[],
  fetch: BucketFetch,
  limit: number,
): CloudConfig {
  const { write_files: _moved, runcmd = [], ...rest } = config.doc;
  const fetches = objects.map((o) => [
    'sh',
    '-c',
    `umask 077 && mkdir -p ${o.path.replace(/\/[^/]+$/, '')} && ${fetch(o.key, o.path)} && chmod ${o.permissions} ${o.path}`,
  ]);
  return {
    header: [
      ...config.header,
      `Over the ${limit}-byte user-data limit: ${objects.length} files of ${node.name} come from the assets bucket.`,
    ],
    doc: { ...rest, runcmd: [...fetches, ...runcmd] },
  };
}

/** The user data of a node within `limit`, moving its files to the bucket when needed. */
export function userDataParts(plan: StagingPlan, node: NodePlan, options: PartsOptions): UserDataParts {
  const { limit } = options;
  const config = cloudConfig(plan, node, options);
  const full = renderCloudConfig(config);
  if (fitsUserDataLimit(full, limit)) return { inline: full, bucketObjects: [] };
  if (!options.bucketFetch)
    throw new Error(`${node.name}: user data of ${userDataBytes(full)} bytes exceeds ${limit} and no bucket fetch is configured`);
  const objects = (config.doc.write_files ?? []).map((f) => ({
    key: bucketKeyOf(node, f),
    content: f.content,
    path: f.path,
    permissions: f.permissions,
  }));
  const inline = renderCloudConfig(fetchingConfig(config, node, objects, options.bucketFetch, limit));
  if (!fitsUserDataLimit(inline, limit))
    throw new Error(`${node.name}: even without its files the user data is ${userDataBytes(inline)} bytes, over ${limit}`);
  return { inline, bucketObjects: objects };
}

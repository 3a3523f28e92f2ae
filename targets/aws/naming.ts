/** AWS names shared by the stacks, the runbook and the local deploy test; plain data, no cdktf, so they load no provider. */
import { createHash } from 'node:crypto';

/** Bucket names are global: a prefix per rehearsal and purpose, the rest drawn at deploy time (S3 allows 37 characters of prefix). */
export const awsBucketPrefix = (rehearsalId: string, purpose: string): string => `${rehearsalId}-${purpose}-`.slice(0, 37);

/** Load balancer names are at most 32 characters: a readable head and a stable hash. */
export function shortName(rehearsalId: string, rest: string): string {
  const hash = createHash('sha256').update(rehearsalId).digest('hex').slice(0, 4);
  return `${rehearsalId.slice(0, 30 - rest.length - 6).replace(/-+$/, '')}-${hash}-${rest}`;
}

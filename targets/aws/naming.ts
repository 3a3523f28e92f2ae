/** AWS names shared by the stacks and the runbook; plain data, no cdktf, so the runbook loads no provider. */

/** Bucket names are global: a prefix per rehearsal and purpose, the rest drawn at deploy time (S3 allows 37 characters of prefix). */
export const awsBucketPrefix = (rehearsalId: string, purpose: string): string => `${rehearsalId}-${purpose}-`.slice(0, 37);

/** Real synthesis of a plan into a temporary cdktf.out, read back as JSON per stack. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import type { PartsOptions } from '../../assets/user-data-limit';
import type { StagingPlan } from '../../plan/types';
import { buildStacks } from '../../stacks/app';
import { nodeUserData } from '../../stacks/user-data';
import type { TargetConfig } from '../../targets/config';
import { withCloudTarget } from '../../targets';

export type StackJson = Record<string, any>;

export interface Synthesized {
  readonly outdir: string;
  readonly stacks: Record<string, StackJson>;
  readonly manifest: Record<string, any>;
}

export function synthesize(plan: StagingPlan, config: TargetConfig, userDataOverrides: Partial<PartsOptions> = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'staging-synth-'));
  const app = new App({ outdir, skipValidation: false });
  withCloudTarget(plan, config, (cloud) =>
    buildStacks(app, { plan, target: cloud, config, userData: nodeUserData(plan, config, userDataOverrides) }),
  );
  app.synth();
  const stacks: Record<string, StackJson> = {};
  for (const name of readdirSync(join(outdir, 'stacks')).sort()) {
    stacks[name] = JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
  }
  return { outdir, stacks, manifest: JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) };
}

/** Resources of a type in a stack, by logical id. */
export const resources = (stack: StackJson, type: string): Record<string, any> => stack.resource?.[type] ?? {};
export const countOf = (stack: StackJson, type: string): number => Object.keys(resources(stack, type)).length;

/** `${each.value.x}` and `${each.key}` replaced by one member's values, everywhere in a resource body. */
function substitute(body: unknown, key: string, value: Record<string, unknown>): unknown {
  if (typeof body === 'string') {
    if (body === '${each.key}') return key;
    const field = /^\$\{each\.value\.(\w+)\}$/.exec(body);
    return field ? value[field[1]] : body;
  }
  if (Array.isArray(body)) return body.map((item) => substitute(item, key, value));
  if (body && typeof body === 'object') {
    return Object.fromEntries(
      Object.entries(body)
        .filter(([k]) => k !== 'for_each')
        .map(([k, v]) => [k, substitute(v, key, value)]),
    );
  }
  return body;
}

/**
 * Every member of the resources of a type, by key: a plain resource as it is, each
 * member of a `for_each` resource with its own values, as Terraform will see them.
 */
export function members(stack: StackJson, type: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [id, body] of Object.entries(resources(stack, type))) {
    if (body.for_each && typeof body.for_each === 'object') {
      for (const [key, value] of Object.entries(body.for_each as Record<string, Record<string, unknown>>))
        out[key] = substitute(body, key, value);
    } else out[id] = body;
  }
  return out;
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * A stack as its snapshot shows it, small enough to read in review and still changed by any
 * byte: every long text (a node's user data, a script, a bundle) becomes its length and
 * SHA-256, and a `for_each` of many members (the security rules, a side's nodes) shows its
 * first two members, its count and the SHA-256 of the rest. The texts and the members are
 * checked one by one by the asset, exposure and security-rule tests.
 */
export function snapshotOf(stack: StackJson): StackJson {
  const digest = (value: unknown, key = ''): unknown => {
    if (typeof value === 'string' && value.length > 400) return `<${value.length} characters, sha256 ${sha(value)}>`;
    if (Array.isArray(value)) return value.map((v) => digest(v));
    if (value && typeof value === 'object') {
      const entries = Object.entries(value);
      if (key === 'for_each' && entries.length > 4) {
        const rest = entries.slice(2);
        return {
          ...Object.fromEntries(entries.slice(0, 2).map(([k, v]) => [k, digest(v)])),
          [`<${rest.length} more members>`]: `sha256 ${sha(JSON.stringify(rest))}`,
        };
      }
      return Object.fromEntries(entries.map(([k, v]) => [k, digest(v, k)]));
    }
    return value;
  };
  return digest(stack) as StackJson;
}

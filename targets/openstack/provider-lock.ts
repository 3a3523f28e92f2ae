/**
 * The committed lock of the OpenStack provider (terraform.lock.hcl beside this file),
 * given to every synthesized stack that uses the provider: the canary's stacks on any
 * cloud, every stack on the OpenStack target. `terraform init` then installs only a
 * package whose hashes it lists, and adds the stack's other providers itself. A lock a
 * stack already has (written by an earlier init, with more hashes) is kept; one that
 * lacks the provider gets its entry appended.
 *
 * No OpenStack import here: the AWS synth loads this module too.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const OPENSTACK_PROVIDER_SOURCE = 'terraform-provider-openstack/openstack';
export const OPENSTACK_PROVIDER_LOCK_FILE = join(__dirname, 'terraform.lock.hcl');
export const LOCK_FILE_NAME = '.terraform.lock.hcl';

const ENTRY = `provider "registry.terraform.io/${OPENSTACK_PROVIDER_SOURCE}"`;

/** The committed lock without its leading comments (Terraform's own layout of an entry). */
export const openstackProviderLock = (): string => readFileSync(OPENSTACK_PROVIDER_LOCK_FILE, 'utf8').replace(/^(#.*\n)+/, '');

const usesOpenstack = (stackDir: string): boolean => {
  const file = join(stackDir, 'cdk.tf.json');
  if (!existsSync(file)) return false;
  const providers = (JSON.parse(readFileSync(file, 'utf8')) as { terraform?: { required_providers?: Record<string, { source?: string }> } })
    .terraform?.required_providers;
  return Object.values(providers ?? {}).some((p) => p.source === OPENSTACK_PROVIDER_SOURCE);
};

/** Writes the lock into each stack of `outdir` that requires the provider; returns those stacks' names. */
export function writeProviderLocks(outdir: string): string[] {
  const stacks = join(outdir, 'stacks');
  if (!existsSync(stacks)) return [];
  const locked: string[] = [];
  for (const name of readdirSync(stacks).sort()) {
    const dir = join(stacks, name);
    if (!usesOpenstack(dir)) continue;
    const lockFile = join(dir, LOCK_FILE_NAME);
    const existing = existsSync(lockFile) ? readFileSync(lockFile, 'utf8') : undefined;
    const header = '# This file is maintained automatically by "terraform init".\n# Manual edits may be lost in future updates.\n\n';
    if (existing === undefined) writeFileSync(lockFile, header + openstackProviderLock());
    else if (!existing.includes(ENTRY)) writeFileSync(lockFile, `${existing.replace(/\n*$/, '\n\n')}${openstackProviderLock()}`);
    locked.push(name);
  }
  return locked;
}

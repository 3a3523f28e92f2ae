/**
 * A hypervisor host's files as one shell script, for clouds whose hosts hold no identity
 * to read a bucket with (OpenStack): Terraform copies the script over SSH once the host
 * is up (targets/openstack/hosts.ts), the host's first boot waits for it and runs it
 * (assets/host-bootstrap.ts). Each file is a quoted here-document, so nothing in it is
 * expanded by the shell; deploy-time values (volume ids) are filled in by Terraform,
 * as in user data.
 */
import type { HostPlan } from '../plan/types';
import { shQuote } from './shell';
import type { BucketObject } from './user-data-limit';

/** Where the host finds its bundle, whole (Terraform's SSH renames it into place after the copy). */
export const HOST_BUNDLE = '/etc/staging/bundle.sh';

/** The here-documents' end marker: a line no file of the bundle may hold. */
const END = 'STAGING_HOST_FILE_END';

/**
 * The bundle of `files`. `STAGING_ROOT` (empty on the host) puts them below another
 * directory, for a review or a test. A file lacking a final newline gets it back off after
 * its here-document, which always ends with one.
 */
export function hostBundle(host: HostPlan, files: readonly BucketObject[]): string {
  const lines = [
    '#!/bin/sh',
    `# The files of hypervisor host ${host.name}, copied here by Terraform over SSH; run by the host's first boot.`,
    'set -eu',
    'umask 077',
    'root="$(printenv STAGING_ROOT || true)"',
    '# Each file root-only until it is whole, then its own mode, then renamed into place.',
    'put() {',
    '  mkdir -p "$root$(dirname "$2")"',
    '  cat > "$root$2.part"',
    '  if [ "$3" = trim ]; then truncate -s -1 "$root$2.part"; fi',
    '  chmod "$1" "$root$2.part"',
    '  mv "$root$2.part" "$root$2"',
    '}',
  ];
  for (const file of files) {
    if (!/^\/[A-Za-z0-9_./-]+$/.test(file.path) || file.path.includes('/../')) {
      throw new Error(`hostBundle: ${host.name}: '${file.path}' is not a plain absolute path`);
    }
    if (!/^0[0-7]{3}$/.test(file.permissions)) throw new Error(`hostBundle: ${file.path}: mode '${file.permissions}' is not octal`);
    const body = file.content.endsWith('\n') ? file.content : `${file.content}\n`;
    if (body.split('\n').includes(END)) throw new Error(`hostBundle: ${file.path} holds the bundle's end marker ${END}`);
    lines.push(`put ${file.permissions} ${shQuote(file.path)} ${file.content.endsWith('\n') ? 'keep' : 'trim'} <<'${END}'`, body + END);
  }
  return lines.join('\n') + '\n';
}

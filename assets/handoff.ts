/**
 * The boot-time hand-off to configuration management, as a script cloud-init
 * runs last: check the disks, fetch the secrets (never part of the user data),
 * fill them into the node's files, apply the node's role manifest with Puppet,
 * then apply the staging's own settings over what Puppet wrote (the Nova cells
 * settings, which the role classes know nothing of).
 */
import { ROLES } from '../plan/roles';
import type { NodePlan } from '../plan/types';
import { sideOf } from './endpoints';
import { SECRETS_FILE } from './secrets';
import { shFunction, shQuote } from './shell';

export const HANDOFF_SCRIPT = '/usr/local/sbin/staging-configure';
const DONE_MARKER = '/var/lib/openstack-staging/configured';

export interface HandoffSpec {
  /** Mount points that must be XFS mounts before anything is configured. */
  readonly mountPoints: readonly string[];
  /** Files holding placeholders, filled from the secrets file. */
  readonly placeholderFiles: readonly string[];
  /** nova.conf fragments merged into /etc/nova/nova.conf after configuration management. */
  readonly novaFragments: readonly string[];
  /** keystone.conf fragments merged into /etc/keystone/keystone.conf after configuration management. */
  readonly keystoneFragments?: readonly string[];
  /** glance-api.conf fragments merged into /etc/glance/glance-api.conf after configuration management. */
  readonly glanceFragments?: readonly string[];
  /** Services restarted after the merge so they read it. */
  readonly restart: readonly string[];
  /** Swift devices handed to the swift user once its packages exist. */
  readonly swiftDevices: readonly string[];
  /** Command that prints the secrets as KEY=VALUE lines; without one, the runbook copies the file over SSH. */
  readonly secretsCommand?: string;
  /** The configuration-management run. */
  readonly configureCommand: string;
}

/** Nova services of a node's role, restarted after the cells settings are merged. */
export const novaServicesOf = (node: Pick<NodePlan, 'role'>): readonly string[] => ROLES[node.role].novaServices;

const words = (list: readonly string[]): string => list.map(shQuote).join(' ');

export function secretsFunctions(command: string | undefined): string[] {
  if (command === undefined) {
    return shFunction('get_secrets', 'No secrets command is configured: the runbook copies the file over SSH; wait up to an hour.', [
      'local tries=0',
      'until [ -s "$SECRETS" ]; do',
      '  tries=$((tries + 1))',
      '  [ "$tries" -le 360 ] || fail "no $SECRETS after an hour"',
      '  sleep 10',
      'done',
    ]);
  }
  return shFunction(
    'get_secrets',
    'Fetches the secrets at boot into a root-only file (once), retrying for ten minutes while they are being created.',
    [
      'local tries=0',
      '[ -s "$SECRETS" ] && return 0',
      'mkdir -p "$(dirname "$SECRETS")"',
      `until (umask 077 && ${command} > "$SECRETS.partial") && [ -s "$SECRETS.partial" ]; do`,
      '  tries=$((tries + 1))',
      '  [ "$tries" -le 60 ] || fail "could not fetch the secrets"',
      '  sleep 10',
      'done',
      'mv "$SECRETS.partial" "$SECRETS"',
    ],
  );
}

export const FILL = shFunction(
  'fill_placeholders',
  'Replaces each placeholder with its secret; refuses values sed or a URL could misread, and any placeholder left over.',
  [
    'local key value',
    'while IFS=\'=\' read -r key value || [ -n "$key" ]; do',
    "  case \"$key\" in ''|'#'*) continue ;; esac",
    '  [ -n "$value" ] || fail "secret $key is empty"',
    '  case "$key$value" in *[!A-Za-z0-9_]*) fail "secret $key: use letters, digits and underscores only" ;; esac',
    '  sed -i "s|{{$key}}|$value|g" "$@"',
    'done < "$SECRETS"',
    'if grep -n \'{{[A-Z0-9_]*}}\' "$@" >&2; then',
    '  fail "placeholders left unfilled (listed above): add them to $SECRETS"',
    'fi',
  ],
);

const LOG = [
  ...shFunction('log', 'Messages go to cloud-init-output.log.', ['echo "staging-configure: $*" >&2']),
  ...shFunction('fail', 'Stops the hand-off with a reason.', ['log "$*"', 'exit 1']),
];

const CHECK_MOUNTS = shFunction('check_mounts', 'Every planned volume must be an XFS mount before anything lands on it.', [
  'local mountpoint',
  'for mountpoint in "$@"; do',
  '  grep -qs " $mountpoint xfs " /proc/mounts || fail "$mountpoint is not an XFS mount"',
  'done',
]);

const PUPPET_APPLY = shFunction(
  'puppet_apply',
  'puppet_apply MODULEPATH MANIFEST: applies the role manifest until it succeeds; the services it needs (database, broker) may still be booting on other nodes.',
  [
    'local tries=0 status',
    'local limit wait',
    'limit=$(printenv PUPPET_TRIES || echo 40)',
    'wait=$(printenv PUPPET_WAIT || echo 30)',
    'while :; do',
    '  status=0',
    '  puppet apply --detailed-exitcodes --modulepath "$1" "$2" || status=$?',
    '  # --detailed-exitcodes: 0 nothing changed, 2 changes made; 4 and 6 some resources failed, 1 the run failed.',
    '  case "$status" in 0|2) return 0 ;; esac',
    '  tries=$((tries + 1))',
    '  [ "$tries" -lt "$limit" ] || fail "puppet apply failed $tries times, the last with status $status (its output is above)"',
    '  log "puppet apply exited $status (try $tries of $limit); again in $wait s"',
    '  sleep "$wait"',
    'done',
  ],
);

const MERGE_INI = shFunction(
  'merge_ini',
  "merge_ini CONF FRAGMENT...: applies the staging's settings over a file configuration management wrote.",
  [
    'local conf=$1 fragment',
    'shift',
    'command -v crudini >/dev/null || fail "crudini is missing: it merges the fragments of $conf"',
    'for fragment in "$@"; do',
    '  crudini --merge "$conf" < "$fragment"',
    'done',
  ],
);

/** Each service's fragments and the file they are merged into. */
const merges = (spec: HandoffSpec): [string, readonly string[]][] =>
  (
    [
      ['/etc/nova/nova.conf', spec.novaFragments],
      ['/etc/keystone/keystone.conf', spec.keystoneFragments ?? []],
      ['/etc/glance/glance-api.conf', spec.glanceFragments ?? []],
    ] as [string, readonly string[]][]
  ).filter(([, fragments]) => fragments.length > 0);

/** The hand-off script of one node. */
export function handoffScript(node: NodePlan, spec: HandoffSpec): string {
  const main = [
    `[ -e ${DONE_MARKER} ] && { log "already configured (remove ${DONE_MARKER} to run again)"; exit 0; }`,
    ...(spec.mountPoints.length ? [`check_mounts ${words(spec.mountPoints)}`] : []),
    'get_secrets',
    `fill_placeholders ${words(spec.placeholderFiles)}`,
    spec.configureCommand,
    ...merges(spec).map(([conf, fragments]) => `merge_ini ${conf} ${words(fragments)}`),
    ...spec.restart.map((service) => `chkconfig ${shQuote(service)} on && service ${shQuote(service)} restart`),
    ...(spec.swiftDevices.length ? [`chown swift:swift ${words(spec.swiftDevices)}`] : []),
    `mkdir -p ${DONE_MARKER.replace(/\/[^/]+$/, '')} && touch ${DONE_MARKER}`,
    'log "done"',
  ];
  return [
    '#!/bin/bash',
    `# Configuration-management hand-off of ${node.name}: ${node.role} on the ${sideOf(node)} side, ${node.release} on ${node.os}.`,
    '# Secrets are not part of the user data: they are fetched at boot into the root-only',
    `# ${SECRETS_FILE} and filled into the placeholders {{...}} of the files below.`,
    'set -euo pipefail',
    `SECRETS=${SECRETS_FILE}`,
    '',
    ...LOG,
    ...(spec.mountPoints.length ? CHECK_MOUNTS : []),
    ...secretsFunctions(spec.secretsCommand),
    ...FILL,
    ...PUPPET_APPLY,
    ...(merges(spec).length ? MERGE_INI : []),
    ...main,
    '',
  ].join('\n');
}

/**
 * Log monitoring as production has it: every node ships its logs to the
 * monitoring node, which keeps them per host and program and checks them against
 * production's ignore list. The check reports the lines the list lets through
 * (what would alert) and the patterns that matched nothing (a changed log format
 * silently breaks them), which is what the talk's upgrade broke.
 */
import type { NodePlan, StagingPlan } from '../plan/types';
import type { RoleSetup, WriteFile } from './role-setup';

export const LOG_IGNORE_FILE = '/etc/openstack-staging/log-ignore.txt';
export const LOG_CHECK_SCRIPT = '/usr/local/sbin/staging-log-check';
const LOG_ROOT = '/var/log/staging';

const file = (path: string, content: string, permissions = '0644'): WriteFile => ({ path, content, owner: 'root:root', permissions });
// rsyslog's legacy syntax: read by rsyslog 5 (EL6) and 7 (EL7) alike.
const RESTART_RSYSLOG = ['sh', '-c', 'systemctl restart rsyslog 2>/dev/null || service rsyslog restart'];

/** Every node but the monitoring node forwards everything over TCP (the planned flow to port 514). */
export function logForwarding(plan: StagingPlan, node: NodePlan): RoleSetup | undefined {
  const monitoring = plan.nodes.find((n) => n.role === 'monitoring');
  if (!monitoring || node === monitoring) return undefined;
  return {
    packages: ['rsyslog'],
    writeFiles: [
      file(
        '/etc/rsyslog.d/90-staging-forward.conf',
        `# Ship every log line to the staging's log monitoring.\n*.* @@${monitoring.addresses.management}:514\n`,
      ),
    ],
    runcmd: [RESTART_RSYSLOG],
  };
}

const RECEIVER = [
  "# Receive the staging nodes' logs and keep them per host and program.",
  '$ModLoad imtcp',
  '$InputTCPServerRun 514',
  `$template StagingPerHost,"${LOG_ROOT}/%HOSTNAME%/%programname%.log"`,
  ':fromhost-ip, !isequal, "127.0.0.1" ?StagingPerHost',
  ':fromhost-ip, !isequal, "127.0.0.1" ~',
  '',
].join('\n');

/** bash: lines the ignore list lets through, and patterns that match nothing, over the logs since a time. */
const CHECK = [
  '#!/bin/bash',
  '# usage: staging-log-check [LOG_DIR]',
  '# Prints how many lines the ignore list lets through (they would alert), a sample of them,',
  '# and every pattern that matched no line at all (a changed log format breaks it silently).',
  'set -euo pipefail',
  `logs=${LOG_ROOT}`,
  '[ "$#" -gt 0 ] && logs=$1',
  `patterns=$(grep -v -e '^#' -e '^$' ${LOG_IGNORE_FILE})`,
  '# One alternation: grep -P takes a single pattern.',
  "alternation=$(printf '%s\\n' \"$patterns\" | paste -sd '|' -)",
  'all=$(mktemp)',
  'trap \'rm -f "$all"\' EXIT',
  'find "$logs" -type f -name \'*.log\' -exec cat {} + >"$all"',
  'through=$(grep -c -v -P -- "$alternation" "$all" || true)',
  'echo "lines not ignored: $through of $(wc -l <"$all")"',
  'grep -v -P -- "$alternation" "$all" | head -n 20 || true',
  'unused=0',
  'while IFS= read -r pattern; do',
  '  if ! grep -q -P -- "$pattern" "$all"; then',
  '    echo "pattern matched nothing: $pattern"',
  '    unused=$((unused + 1))',
  '  fi',
  'done <<<"$patterns"',
  'echo "patterns that matched nothing: $unused"',
  '',
].join('\n');

/** The monitoring node: the receiver, production's ignore list and the check. */
export function monitoringSetup(plan: StagingPlan, node: NodePlan): RoleSetup | undefined {
  if (node.role !== 'monitoring') return undefined;
  const list = ['# Production log-ignore patterns, one regular expression per line.', ...plan.monitoring.logIgnorePatterns, ''].join('\n');
  return {
    packages: ['rsyslog'],
    writeFiles: [
      file('/etc/rsyslog.d/10-staging-receive.conf', RECEIVER),
      file(LOG_IGNORE_FILE, list),
      file(LOG_CHECK_SCRIPT, CHECK, '0755'),
    ],
    runcmd: [['mkdir', '-p', LOG_ROOT], RESTART_RSYSLOG],
  };
}

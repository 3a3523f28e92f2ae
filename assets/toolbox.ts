/**
 * The migration toolbox: database clients to dump and restore every database,
 * the AWS CLI or Swift client to move dumps, and a RabbitMQ kept stopped — the
 * dummy broker the cells v1 migration needs (object saves in a cell send
 * messages to the cell's broker). The intermediate and target release tools are
 * installed by the runbook, one release at a time (their packages conflict).
 */
import type { NodePlan, StagingPlan } from '../plan/types';
import type { RoleSetup } from './role-setup';

export const DUMMY_RABBIT_SCRIPT = '/usr/local/sbin/staging-dummy-rabbit';

const DUMMY_RABBIT = [
  '#!/bin/bash',
  '# usage: staging-dummy-rabbit start|stop',
  '# A local broker for the Nova cells migration: nothing consumes what it receives.',
  'set -euo pipefail',
  'case "$1" in',
  '  start)',
  '    systemctl start rabbitmq-server',
  "    echo 'dummy broker on 127.0.0.1:5672, with the default account of RabbitMQ (local connections only)'",
  '    ;;',
  '  stop) systemctl stop rabbitmq-server ;;',
  '  *) echo "usage: staging-dummy-rabbit start|stop" >&2; exit 2 ;;',
  'esac',
  '',
].join('\n');

export function toolboxSetup(_plan: StagingPlan, node: NodePlan): RoleSetup | undefined {
  if (node.role !== 'migration-toolbox') return undefined;
  return {
    packages: ['mariadb', 'rabbitmq-server', 'python-swiftclient'],
    writeFiles: [{ path: DUMMY_RABBIT_SCRIPT, content: DUMMY_RABBIT, owner: 'root:root', permissions: '0755' }],
    // Installed, never started at boot: it runs only during the Nova migration.
    runcmd: [['sh', '-c', 'systemctl disable rabbitmq-server 2>/dev/null || chkconfig rabbitmq-server off']],
  };
}

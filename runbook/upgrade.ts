/**
 * One upgrade round, procedure steps 1 to 7 in order: build the new side, copy
 * Swift while the old side serves, close the API, copy the Swift delta, stop the
 * old side and monitoring, back up (configuration, then every database), fill and
 * migrate the new side's databases, upgrade compute in place, start the new side,
 * check it, cut over, restart monitoring.
 */
import { SECRETS_FILE } from '../assets/secrets';
import { buildNewSideSteps } from './build';
import { databaseTargets } from './databases';
import { dumpSteps, mysqlAs, TOOLBOX } from './dumps';
import { computeUpgradeStep } from './compute';
import { prepareSwitchStep, switchStep } from './edge';
import { migrationSteps } from './migration';
import { catalogStep } from './production-data';
import { collectFromEach, onNode, work, type Context } from './remote';
import { forgetServicesStep } from './service-records';
import { closeApiStep, linkCellsStep, monitoringStep, sideServicesStep } from './sides';
import { swiftCopyStep, swiftParityStep } from './swift';
import { swiftAccountsStep } from './swift-accounts';
import type { Phase, Step } from './types';
import { cellNovaNodes, novaServicesCheck } from './verify';

/** Configuration of every old-side node, kept on the operator machine. */
function configBackupStep(ctx: Context, phase: Phase, round: string): Step {
  const nodes = ctx.plan.nodes.filter((n) => n.side === 'old');
  return {
    id: `${round}.config-backup`,
    phase,
    title: 'Back up the configuration of every old-side node',
    where: 'operator',
    commands: [collectFromEach(ctx, nodes, ['tar -czf - /etc'], work(ctx, `config-${round}`), 'tgz')],
    rollbackSafe: true,
  };
}

/** The restored cell databases still name the old side's brokers as parents and children. */
function forgetOldLinksStep(ctx: Context, phase: Phase, round: string): Step {
  const nova = databaseTargets(ctx.plan).filter((db) => db.service === 'nova');
  return {
    id: `${round}.cells-forget-old`,
    phase,
    title: "Remove the old side's cell links from the restored Nova databases",
    where: TOOLBOX,
    commands: [onNode(ctx, TOOLBOX, [`. ${SECRETS_FILE}`, ...nova.map((db) => `${mysqlAs(db, 'new')} ${db.name} -e 'DELETE FROM cells'`)])],
    rollbackSafe: true,
  };
}

/** Before the cut-over: every cell's Nova services are up and Keystone issues a token. */
function basicChecksStep(ctx: Context, phase: Phase, round: string): Step {
  const keystone = ctx.plan.nodes.find((n) => n.side === 'new' && n.role === 'keystone')!;
  return {
    id: `${round}.basic-checks`,
    phase,
    title: 'Basic checks of the new side before the cut-over',
    where: 'operator',
    commands: [
      onNode(ctx, keystone.name, ['. /root/keystonerc_admin', 'openstack token issue -f value -c expires']),
      ...cellNovaNodes(ctx, 'new').map(([, node]) => onNode(ctx, node.name, [novaServicesCheck(ctx, 'new')])),
    ],
    rollbackSafe: true,
  };
}

export function upgradeSteps(ctx: Context, phase: Phase, round: string, rebuild: boolean): Step[] {
  return [
    ...buildNewSideSteps(ctx, phase, round, rebuild),
    // Puppet started the new services on empty databases: nothing may write while they are filled.
    sideServicesStep(ctx, phase, `${round}.stop-new`, 'new', 'stop'),
    swiftCopyStep(ctx, phase, round, 'initial'),
    // While the API still serves: the switch inside the downtime window only applies it.
    prepareSwitchStep(ctx, phase, `${round}.prepare-cut-over`, `${round}-cut-over`, 'new'),
    // Before anything it watches goes down, so that closing the API raises no flood of alerts.
    monitoringStep(ctx, phase, `${round}.monitoring-stop`, 'stop'),
    closeApiStep(ctx, phase, round),
    swiftCopyStep(ctx, phase, round, 'delta'),
    swiftParityStep(ctx, phase, round),
    // Through the old side's API while it still runs, with nothing writing (the API is closed).
    swiftAccountsStep(ctx, phase, round, 'old'),
    // Stopped before the dumps: a dump taken while conductors and computes still write is not consistent.
    sideServicesStep(ctx, phase, `${round}.stop-old`, 'old', 'stop'),
    configBackupStep(ctx, phase, round),
    ...dumpSteps(ctx, phase, round),
    ...migrationSteps(ctx, phase, round),
    forgetOldLinksStep(ctx, phase, round),
    forgetServicesStep(ctx, phase, `${round}.services-forget-old`, 'new', "the old side's (and production's)"),
    catalogStep(ctx, phase, `${round}.catalog-new`, 'new'),
    linkCellsStep(ctx, phase, `${round}.cells-new`, 'new'),
    computeUpgradeStep(ctx, phase, round),
    sideServicesStep(ctx, phase, `${round}.start-new`, 'new', 'start'),
    basicChecksStep(ctx, phase, round),
    swiftAccountsStep(ctx, phase, round, 'new'),
    switchStep(ctx, phase, `${round}.cut-over`, `${round}-cut-over`, 'Cut-over: the edge sends users to the new side (the prepared plan)'),
    monitoringStep(ctx, phase, `${round}.monitoring-start`, 'start'),
  ];
}

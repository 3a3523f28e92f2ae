/**
 * Phases that build and remove infrastructure with cdktf: the first deploy
 * (foundation, old side, compute, monitoring, migration toolbox, edge), the
 * canary seed, the new side's build (and rebuild), the teardown. Inputs (profile,
 * target, target config) reach cdktf through the STAGING_* environment.
 */
import { shQuote } from '../assets/shell';
import type { OperatorAccess } from '../targets/cloud-facts';
import { factsOf } from '../targets/facts';
import { DUMPS_STORE_STEPS } from './dumps';
import { secretsCommand, secretsDistributed } from './secrets';
import { productionDataSteps } from './production-data';
import { work, type Context } from './remote';
import { deployStacks, destroyStacks, firstDeploy, outputsCommand, sideStacks } from './stacks';
import { canaryEnv, canarySeedSteps } from './canary';
import { tempestAccountsStep, tempestInstallStep } from './tempest';
import { CHECKS, stagingCli } from './staging-cli';
import { collectLogsStep, recordInventoryStep } from './verify';
import { linkCellsStep, ringsStep, waitConfiguredStep } from './sides';
import type { Phase, Step } from './types';

function secretsSteps(ctx: Context, phase: Phase, id: string, when: 'create' | 'distribute'): Step[] {
  if (when === 'distribute' && !secretsDistributed(ctx)) return [];
  const command = secretsCommand(ctx, when);
  return [
    {
      id,
      phase,
      title: when === 'create' ? "Create the rehearsal's secrets (once; never overwritten)" : 'Copy the secrets file to every node',
      where: 'operator',
      commands: [command],
      rollbackSafe: true,
    },
  ];
}

/**
 * AWS: every later ssh and scp (the steps' and the ring and secrets scripts') reaches
 * the private nodes through the Instance Connect Endpoint, by the SSH configuration
 * the foundation outputs; the operator includes it once from ~/.ssh/config.
 */
function accessStep(ctx: Context, phase: Phase): Step {
  const outputs = work(ctx, 'foundation.json');
  const config = work(ctx, 'ssh_config');
  const first = ctx.plan.nodes[0].addresses.management;
  return {
    id: 'deploy.access',
    phase,
    title: 'Write the SSH configuration that reaches the nodes through the Instance Connect Endpoint',
    where: 'operator',
    commands: [
      outputsCommand('foundation', outputs),
      `node -e 'process.stdout.write(require(require("path").resolve(process.argv[1])).foundation["ssh-config"])' ${outputs} > ${config}`,
      `ssh -G ${first} | grep -qi '^proxycommand aws ec2-instance-connect' || { echo "add to ~/.ssh/config, then resume at this step: Include $(pwd)/${ctx.options.workDir}/ssh_config" >&2; exit 1; }`,
    ],
    rollbackSafe: true,
  };
}

/** What the operator's SSH needs once the foundation exists. */
const ACCESS_STEPS: Record<OperatorAccess, (ctx: Context, phase: Phase) => Step[]> = {
  'instance-connect-endpoint': (ctx, phase) => [accessStep(ctx, phase)],
  // The operator's network routes to the nodes already.
  'operator-network': () => [],
};

export function deploySteps(ctx: Context): Step[] {
  const phase: Phase = 'deploy';
  const step = (id: string, title: string, commands: string[]): Step => ({
    id: `deploy.${id}`,
    phase,
    title,
    where: 'operator',
    commands,
    rollbackSafe: true,
  });
  return [
    // Once: the edge's side is a variable of its plan, so nothing later needs another synthesis.
    step('synth', 'Synthesize every stack into cdktf.out', ['npm run synth']),
    step('assets', 'Render the assets (rings, cells, cloud-init) for the steps that use them', [
      `npm run assets -- --out ${work(ctx, 'assets')}`,
    ]),
    ...secretsSteps(ctx, phase, 'deploy.secrets', 'create'),
    step(
      'infrastructure',
      'Deploy the foundation, the old side, compute, monitoring, the migration toolbox and the edge (serving the old side)',
      [deployStacks(ctx, firstDeploy(ctx.plan)), outputsCommand('edge', work(ctx, 'edge.json'))],
    ),
    ...ACCESS_STEPS[factsOf(ctx.plan.cloud).operatorAccess](ctx, phase),
    ...DUMPS_STORE_STEPS[factsOf(ctx.plan.cloud).dumpsStore](ctx, phase),
    ...secretsSteps(ctx, phase, 'deploy.secrets-distribute', 'distribute'),
    waitConfiguredStep(ctx, phase, 'deploy.wait-old', 'old'),
    waitConfiguredStep(ctx, phase, 'deploy.wait-shared', 'shared'),
    ringsStep(ctx, phase, 'deploy.rings-old', 'old', 'deploy'),
    ...productionDataSteps(ctx, phase),
    linkCellsStep(ctx, phase, 'deploy.cells-old', 'old'),
  ];
}

export function seedSteps(ctx: Context): Step[] {
  const phase: Phase = 'seed';
  return [
    {
      id: 'seed.canary-auth',
      phase,
      title: "Check that the canary's clouds.yaml entry authenticates at the edge",
      where: 'operator',
      commands: [
        `openstack --os-cloud ${ctx.options.canaryCloud} configuration show -f json > ${work(ctx, 'canary-cloud.json')}`,
        `${CHECKS} canary-auth ${work(ctx, 'canary-cloud.json')} ${work(ctx, 'edge.json')}`,
      ],
      rollbackSafe: true,
    },
    {
      id: 'seed.flavors',
      phase,
      title: "Check that production's flavors are in the restored Nova database, once each",
      where: 'operator',
      commands: [
        `${stagingCli(ctx)} flavor list --all -f json > ${work(ctx, 'flavors-seed.json')}`,
        `${CHECKS} flavors ${work(ctx, 'flavors-seed.json')} ${ctx.plan.canary.flavors.map((f) => shQuote(f.name)).join(' ')}`,
      ],
      rollbackSafe: true,
    },
    ...canarySeedSteps(ctx, phase),
    // Before the inventory: Tempest's projects are part of what every later switch must keep.
    ...[tempestAccountsStep(ctx, phase)].filter((s): s is Step => s !== undefined),
    recordInventoryStep(ctx, phase, 'seed.inventory', 'seed'),
    tempestInstallStep(ctx, phase),
    {
      id: 'seed.log-ignore',
      phase,
      title: 'Keep the log-monitoring ignore list beside the logs',
      where: 'operator',
      commands: [`cp ${shQuote(ctx.options.logIgnoreFile)} ${work(ctx, 'log-ignore.txt')}`],
      rollbackSafe: true,
    },
    collectLogsStep(ctx, phase, 'seed.logs-baseline', 'old', 'baseline'),
  ];
}

/** Procedure step 1: the new side beside the old one; the second round destroys the first round's new side first. */
export function buildNewSideSteps(ctx: Context, phase: Phase, round: string, rebuild: boolean): Step[] {
  const step = (id: string, title: string, commands: string[]): Step => ({
    id: `${round}.${id}`,
    phase,
    title,
    where: 'operator',
    commands,
    rollbackSafe: true,
  });
  return [
    ...(rebuild
      ? [
          {
            ...step('destroy-new', 'Destroy the previous new side (the old side serves)', [
              destroyStacks(ctx, sideStacks(ctx.plan, 'new')),
            ]),
            destructive: true as const,
          },
        ]
      : []),
    step('build-new', 'Build the new side beside the old one (control plane, cells, Swift)', [
      deployStacks(ctx, sideStacks(ctx.plan, 'new')),
    ]),
    ...secretsSteps(ctx, phase, `${round}.secrets-distribute`, 'distribute'),
    waitConfiguredStep(ctx, phase, `${round}.wait-new`, 'new'),
    ringsStep(ctx, phase, `${round}.rings-new`, 'new', round),
  ];
}

export function teardownSteps(ctx: Context): Step[] {
  const addresses = factsOf(ctx.plan.cloud).productionDataAddresses;
  return [
    // keepBackups: the production data leaves Terraform's care first, so the destroy leaves it standing.
    ...(ctx.plan.keepBackups
      ? [
          {
            id: 'teardown.keep-backups',
            phase: 'teardown' as const,
            title: "Keep the production dumps and backups: take them out of the foundation's state",
            where: 'operator',
            commands: [`npm run stacks -- forget foundation ${addresses.join(' ')}`],
            checks: ['each kept resource is listed; delete them yourself when the backups are no longer needed'],
            rollbackSafe: false,
          },
        ]
      : []),
    {
      id: 'teardown.destroy',
      phase: 'teardown',
      title: ctx.plan.keepBackups
        ? 'Destroy every stack, dependents first (the production dumps and backups are kept)'
        : 'Destroy every stack, dependents first (buckets are emptied with it)',
      where: 'operator',
      // The canary stack's providers log in as the canary user, as at its deploy.
      commands: [`${canaryEnv(ctx)} ${destroyStacks(ctx, ['*'])}`],
      rollbackSafe: false,
      destructive: true,
    },
  ];
}

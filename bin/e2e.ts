/**
 * npm run e2e — the staging's whole infrastructure lifecycle, deployed for real with
 * Terraform against a local AWS API (moto), driven by the very commands `npm run
 * rehearse` prints, and checked through the AWS API after every step:
 *
 *   1. render the assets, create the secrets (the runbook's own script, into moto's
 *      parameter store), deploy the foundation, old side, compute, monitoring,
 *      toolbox and edge;
 *   2. check instances, addresses, Swift devices, load balancer and security flows,
 *      and that no secret's value is in any file the deploy left (state included);
 *   3. build the new side; cut over (a plan that only updates listeners, applied at
 *      the switch) and roll back the same way;
 *   4. destroy the new side alone (the old side keeps its instances), rebuild it;
 *   5. tear everything down and check nothing is left.
 *
 * Everything it writes stays in .e2e/ (cdktf.out, Terraform state, the CLI config,
 * logs, report.json); the user's ~/.terraformrc and state/ are not touched. Exits 2
 * when terraform, the provider mirror or moto is missing, 1 on the first failed check.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegisterImageCommand } from '@aws-sdk/client-ec2';
import { parse, stringify } from 'yaml';
import { checkEdge, checkFlows, checkNodes, checkSwiftDevices, instanceIds, leftovers, awsApi, type AwsApi } from '../e2e/aws-checks';
import {
  awsCliVersion,
  MissingTool,
  motoVersion,
  providerMirror,
  startMoto,
  terraformVersion,
  writeCliConfig,
  type Emulator,
} from '../e2e/environment';
import { awsSecretsParameter } from '../assets/secrets';
import { loadProfile, REFERENCE_PROFILE } from '../profile/load';
import { buildPlan } from '../plan/plan';
import type { StagingPlan } from '../plan/types';
import { table } from '../plan/report';
import { runbookOptionsFor } from '../runbook/options';
import { rehearsalSteps } from '../runbook/steps';
import type { Step } from '../runbook/types';
import { defaultTargetFile, loadTarget, type AwsTargetConfig } from '../targets/config';
import { parseArgs, runCli } from './command';

const ROOT = join(__dirname, '..');
const WORK = join(ROOT, '.e2e');

const HELP = `usage: npm run e2e -- [--placement auto|instances|hypervisors] [--keep]

Deploys the staging's infrastructure for real against a local AWS API (moto), with the
rehearsal's own commands, checks it through the AWS API, switches sides, rebuilds the
new side and tears it all down. Everything it writes is in .e2e/.

Options:
  --placement P  where the nodes run: auto (the target's default: KVM guests of hypervisor hosts for
               the reference's EL images), hypervisors, or instances (one instance per node)
  --keep      leave the deployed staging and moto running at the end (no teardown), to look around
  -h, --help  this text

Environment:
  STAGING_TF_MIRROR   folder holding registry.terraform.io/hashicorp/aws/<version>/ (found by itself otherwise)

Needs terraform on the PATH, a provider mirror with hashicorp/aws, and python3 with moto and Flask.
Exit status: 0 every check passed, 1 a step or a check failed (named), 2 a prerequisite is missing.`;

/** A check that failed: its step and the problems found. */
class CheckFailed extends Error {}

interface Timed {
  readonly name: string;
  readonly seconds: number;
}

runCli(async () => {
  const { values } = parseArgs({
    options: { keep: { type: 'boolean' }, placement: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return;
  }
  const placement = values.placement ?? 'auto';
  if (placement !== 'auto' && placement !== 'instances' && placement !== 'hypervisors') {
    process.stderr.write(`npm run e2e: --placement is auto, instances or hypervisors, not '${placement}'\n`);
    process.exit(2);
  }
  let prerequisites;
  try {
    prerequisites = { terraform: terraformVersion(), mirror: providerMirror(), moto: motoVersion(), aws: awsCliVersion() };
  } catch (e) {
    if (!(e instanceof MissingTool)) throw e;
    process.stderr.write(`npm run e2e: ${e.message}\n`);
    process.exit(2);
  }
  // The SDK's notice that its 2027 releases need Node 22 says nothing about this run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(join(WORK, 'logs'), { recursive: true });
  const say = (text: string) => process.stdout.write(text + '\n');
  say(
    `terraform ${prerequisites.terraform}; hashicorp/aws ${prerequisites.mirror.versions.join(', ')} from ${prerequisites.mirror.root}; moto ${prerequisites.moto}; ${prerequisites.aws}`,
  );
  const moto = await startMoto(join(WORK, 'logs', 'moto.log'));
  try {
    await lifecycle(moto, prerequisites.mirror.root, say, values.keep === true, placement);
  } catch (e) {
    if (e instanceof CheckFailed) {
      process.stderr.write(`npm run e2e: ${e.message}\n`);
      process.exitCode = 1;
    } else throw e;
  } finally {
    if (values.keep) say(`--keep: the staging stays deployed on ${moto.endpoint} until this process ends (Ctrl-C)`);
    else moto.stop();
  }
  if (values.keep) await new Promise(() => undefined);
});

async function lifecycle(
  moto: Emulator,
  mirrorRoot: string,
  say: (text: string) => void,
  keep: boolean,
  placement: 'auto' | 'instances' | 'hypervisors',
): Promise<void> {
  const cliConfig = join(WORK, 'terraform.rc');
  writeCliConfig(cliConfig, mirrorRoot);
  const targetFile = join(WORK, 'target.yaml');
  const region = 'us-east-1';
  const env: NodeJS.ProcessEnv = {
    ...withoutAwsProfile(process.env),
    // moto takes any credentials; real ones must never reach it.
    AWS_ACCESS_KEY_ID: 'e2e-moto',
    AWS_SECRET_ACCESS_KEY: 'e2e-moto',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
    // The AWS CLI of the secrets script and the runbook's commands goes to moto as well.
    AWS_ENDPOINT_URL: moto.endpoint,
    TF_CLI_CONFIG_FILE: cliConfig,
    CHECKPOINT_DISABLE: '1',
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
    CDKTF_OUTDIR: join(WORK, 'cdktf.out'),
    STAGING_PROFILE: REFERENCE_PROFILE,
    STAGING_TARGET: 'aws',
    STAGING_TARGET_CONFIG: targetFile,
  };
  delete env.TF_PLUGIN_CACHE_DIR;
  delete env.STAGING_ACTIVE_SIDE;
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
    AWS_REGION: region,
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  const api = awsApi(moto.endpoint, region);

  const profile = loadProfile(REFERENCE_PROFILE);
  const oses = [...new Set([...Object.values(profile.os.old), ...Object.values(profile.os.new)])].sort();
  const images = await registerImages(api, [...oses, HOST_IMAGE]);
  writeTarget(targetFile, moto.endpoint, images, placement);
  const config = loadTarget(targetFile) as AwsTargetConfig;
  const plan = buildPlan(profile, config);
  const steps = rehearsalSteps(plan, runbookOptionsFor(config, profile, { workDir: join(WORK, 'rehearsal') }));
  const hosts = plan.placement.kind === 'hypervisors' ? `, as KVM guests of ${plan.placement.hosts.length} hosts` : '';
  say(
    `plan ${plan.rehearsalId}: ${plan.nodes.length} nodes at scale ${plan.scale.factor}${hosts}, ${Object.keys(images).length} images registered in moto`,
  );

  const timings: Timed[] = [];
  /** Runs a step's commands in order, timed; returns what they printed. */
  const run = async (name: string, commands: readonly string[]): Promise<string> => {
    say(`\n== ${name}`);
    const started = Date.now();
    let output = '';
    for (const command of commands) {
      say(`$ ${command}`);
      const log = join(WORK, 'logs', `${timings.length + 1}-${name.replace(/\W+/g, '-')}.log`);
      const result = await shell(command, env, log);
      output += result.output;
      if (result.status !== 0) throw new CheckFailed(`${name}: \`${command}\` exited with ${result.status} (its output: ${log})`);
    }
    timings.push({ name, seconds: (Date.now() - started) / 1000 });
    return output;
  };
  const check = async (name: string, problems: Promise<string[]>) => {
    const found = await problems;
    if (found.length > 0) throw new CheckFailed(`check "${name}" failed:\n  ${found.join('\n  ')}`);
    say(`ok: ${name}`);
  };
  const of = (id: string) => stepCommands(steps, id);

  // 1. The first deploy, as the runbook's deploy phase does it.
  // The secrets are created outside Terraform, before any node boots, as the runbook does.
  await run('deploy foundation, old side, compute, monitoring, toolbox, edge (with the assets and the secrets)', [
    ...of('deploy.assets'),
    ...of('deploy.secrets'),
    ...of('deploy.synth'),
    ...of('deploy.infrastructure'),
  ]);
  const firstDeploy = stackTimings();
  // 2. The deployed staging is the plan.
  await check(
    'old side, compute, toolbox and monitoring are the planned instances at their planned addresses',
    checkNodes(api, plan, ['old', 'shared']),
  );
  await check(
    'every old Swift storage node has one attached volume per ring device, where its bootstrap looks for it',
    checkSwiftDevices(api, plan, 'old'),
  );
  await check(
    'a listener per public API, a target group per API and side holding that side, serving the old side',
    checkEdge(api, plan, 'old'),
  );
  await check('security groups let only the planned flows through', checkFlows(api, plan, config.adminCidrs));
  // 3. The new side, the cut-over and the rollback.
  await run('deploy the new side', of('upgrade-1.build-new'));
  await check('the new side is the planned instances at their planned addresses', checkNodes(api, plan, ['new']));
  await check(
    'every new Swift storage node has one attached volume per ring device, where its bootstrap looks for it',
    checkSwiftDevices(api, plan, 'new'),
  );
  await run('prepare the cut-over (plan: listeners only)', of('upgrade-1.prepare-cut-over'));
  const diff = await run('cdktf diff edge --var active_side=new', [diffEdge('new')]);
  await check('cdktf diff of the cut-over changes only the listeners', Promise.resolve(onlyListenersChange(diff, plan)));
  await run('cut-over (apply the prepared plan)', of('upgrade-1.cut-over'));
  await check('every listener forwards to the new side', checkEdge(api, plan, 'new'));
  await run('prepare the rollback', of('rollback.prepare-edge'));
  await run('rollback (apply the prepared plan)', of('rollback.edge'));
  await check('every listener forwards to the old side again', checkEdge(api, plan, 'old'));
  // 4. The second upgrade destroys and rebuilds the new side alone.
  const oldIds = await instanceIds(api, plan, 'old');
  await run('destroy the new side alone', of('upgrade-2.destroy-new'));
  await check('the old side keeps its instances, the new side has none', keptAndGone(api, plan, oldIds));
  await run('rebuild the new side', of('upgrade-2.build-new'));
  await check('the rebuilt new side is the planned instances at their planned addresses', checkNodes(api, plan, ['new']));
  // The switch as the runbook runs it, against Terraform alone applying the same kind of saved plan.
  await run('prepare the second cut-over', of('upgrade-2.prepare-cut-over'));
  await run('bare terraform apply of the saved cut-over plan', [bareApply(plan, join(WORK, 'rehearsal', 'plans', 'upgrade-2-cut-over'))]);
  await check('every listener forwards to the new side', checkEdge(api, plan, 'new'));
  await check('no secret in Terraform state, the synthesized stacks, the assets or any log', leaks(readSecretsBack(plan, env), WORK));
  if (keep) return report(timings, firstDeploy, say);
  // 5. Teardown.
  await run('teardown', of('teardown.destroy'));
  await check('the teardown leaves no instance, volume, interface, group, load balancer, bucket or role', leftovers(api, plan));
  report(timings, firstDeploy, say);
}

/** The secrets parameter's KEY=VALUE lines, as the nodes read them; never logged, so that the scan below means something. */
function readSecretsBack(plan: StagingPlan, env: NodeJS.ProcessEnv): string {
  const command = `aws --endpoint-url ${env.AWS_ENDPOINT_URL} ssm get-parameter --region ${plan.region} --with-decryption --name ${awsSecretsParameter(plan.rehearsalId)} --query Parameter.Value --output text`;
  const result = spawnSync('bash', ['-c', command], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new CheckFailed(`reading the secrets back failed: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Secret-looking literals, whatever their value: credentials in a URL, private keys, AWS keys. */
const GENERIC_SECRETS = [/:\/\/[^/\s:@"]+:[^/\s:@"{$]+@/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /\bAKIA[0-9A-Z]{16}\b/];

/**
 * Every file the deploy left (state, synthesized stacks, assets, logs) searched for each
 * secret's value and for secret-looking literals. The values are the real ones the
 * secrets script created in moto's parameter store.
 */
async function leaks(readBack: string, root: string): Promise<string[]> {
  const values = readBack
    .split('\n')
    .map((line) => /^[A-Z0-9_]+=(\S{12,})$/.exec(line.trim())?.[1])
    .filter((v): v is string => v !== undefined);
  if (values.length < 5) return [`the secrets parameter holds ${values.length} values: the scan would prove nothing`];
  const problems: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.terraform') walk(path);
        continue;
      }
      if (/\.log$/.test(entry.name) && entry.name.startsWith('moto')) continue; // the emulator's own request log
      const text = readFileSync(path, 'latin1');
      if (text.includes('\0')) continue; // binary plan files: the values would show as text
      for (const value of values) if (text.includes(value)) problems.push(`${path} holds a secret's value`);
      for (const pattern of GENERIC_SECRETS) if (pattern.test(text)) problems.push(`${path} matches ${pattern}`);
    }
  };
  walk(root);
  return problems;
}

/** The commands of a runbook step, by id: the e2e runs exactly what an operator would. */
function stepCommands(steps: readonly Step[], id: string): readonly string[] {
  const step = steps.find((s) => s.id === id);
  if (!step) throw new Error(`the runbook has no step ${id}`);
  return step.commands;
}

/** The real cdktf CLI's view of a switch, on the synthesized output. */
const diffEdge = (side: string) =>
  `npx cdktf diff edge --skip-synth --skip-provider-lock --no-color --output "$CDKTF_OUTDIR" --var active_side=${side}`;

/** `terraform apply` of a saved plan in the edge's directory, nothing around it. */
const bareApply = (plan: StagingPlan, plans: string) =>
  `terraform -chdir="$CDKTF_OUTDIR/stacks/edge" apply -input=false -no-color ${JSON.stringify(join(plans, 'edge.tfplan'))} && rm ${JSON.stringify(join(plans, 'edge.tfplan'))} # ${plan.rehearsalId}`;

/** What `cdktf diff` printed: only the listeners, updated in place, and the counts Terraform gives for that. */
function onlyListenersChange(text: string, plan: StagingPlan): string[] {
  const changed = [...text.matchAll(/# (\S+) \(\S+\) will be ([a-z -]+)/g)].map((m) => ({ address: m[1], what: m[2] }));
  const problems = changed
    .filter((c) => !c.address.startsWith('aws_lb_listener.') || c.what !== 'updated in-place')
    .map((c) => `${c.address} will be ${c.what}`);
  if (!/Plan: 0 to add, \d+ to change, 0 to destroy/.test(text))
    problems.push('cdktf diff did not print "0 to add, N to change, 0 to destroy"');
  if (changed.length !== plan.apis.length) problems.push(`${changed.length} resources change, ${plan.apis.length} listeners expected`);
  return problems;
}

async function keptAndGone(api: AwsApi, plan: StagingPlan, before: Map<string, string>): Promise<string[]> {
  const after = await instanceIds(api, plan, 'old');
  const problems = [...before]
    .filter(([name, id]) => after.get(name) !== id)
    .map(([name, id]) => `${name}: was ${id}, now ${after.get(name)}`);
  const newSide = [...(await instanceIds(api, plan, 'new')).entries()].filter(([, id]) => id !== 'missing');
  return [...problems, ...newSide.map(([name, id]) => `${name} still runs as ${id}`)];
}

/** Registers a base image per OS in the emulator, as an operator's own AMIs would be. */
async function registerImages(api: AwsApi, oses: readonly string[]): Promise<Record<string, string>> {
  const images: Record<string, string> = {};
  for (const os of oses) {
    const out = await api.ec2.send(
      new RegisterImageCommand({
        Name: `staging-e2e-${os}`,
        Architecture: 'x86_64',
        VirtualizationType: 'hvm',
        RootDeviceName: '/dev/sda1',
        BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 8 } }],
      }),
    );
    images[os] = out.ImageId!;
  }
  return images;
}

/** The image the hypervisor hosts boot, registered beside the guests' OS images. */
const HOST_IMAGE = 'debian-12';

/** The default AWS target pointed at the emulator: its images, bare-metal compute, the smallest faithful scale. */
function writeTarget(
  file: string,
  endpoint: string,
  images: Record<string, string>,
  placement: 'auto' | 'instances' | 'hypervisors',
): void {
  const base = parse(readFileSync(defaultTargetFile('aws'), 'utf8')) as Record<string, unknown>;
  const { [HOST_IMAGE]: hostImage, ...imageByOs } = images;
  const doc = {
    ...base,
    endpoint,
    emulator: 'moto',
    imageByOs,
    placement,
    // With one instance per node, the EL7 images stand for Nitro-ready ones (ENA and NVMe added): stock
    // EL 7.1 compute nodes boot on no EC2 type with KVM. EL6 stays stock, so its nodes take Xen types.
    ...(placement === 'instances' ? { imageDrivers: { 'centos-7.1': ['ena', 'nvme'], 'centos-7.2': ['ena', 'nvme'] } } : {}),
    hypervisors: { ...(base.hypervisors as Record<string, unknown>), hostImage },
    // The nested-virtualization CPU option needs the AWS provider >= 6.33; the mirror holds 5.100.0.
    computeKvm: 'metal',
    scale: 0.01,
    budgetPerHour: 100,
  };
  writeFileSync(file, `# Written by npm run e2e for the local AWS API.\n${stringify(doc)}`);
}

function withoutAwsProfile(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const key of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'])
    delete copy[key];
  return copy;
}

/** Runs a command with bash, its output into a log file (and its summary lines to the terminal). */
function shell(command: string, env: NodeJS.ProcessEnv, logFile: string): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    const keep = (d: Buffer) => chunks.push(d);
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('close', (code) => {
      const text = Buffer.concat(chunks).toString('utf8');
      writeFileSync(logFile, `$ ${command}\n${text}`);
      // Only the summary lines of the stacks tool, not Terraform's whole output.
      for (const line of text.split('\n'))
        if (/ (deploy|destroy|plan|apply-plan) (ok|failed|refused|not run) in |plan: \d+ to add|refused:|Error/.test(line))
          process.stdout.write(`   ${line}\n`);
      resolve({ status: code ?? 1, output: text });
    });
  });
}

/** Seconds of each stack's first deploy, from the runbook's timings file. */
interface StackDeploy {
  readonly seconds: number;
  /** Resources its plan added. */
  readonly resources: number;
}

function stackTimings(): Record<string, StackDeploy> {
  const file = join(WORK, 'rehearsal', 'stacks-timings.json');
  const entries = JSON.parse(readFileSync(file, 'utf8')) as { stack: string; action: string; seconds: number; summary?: { add: number } }[];
  return Object.fromEntries(
    entries.filter((e) => e.action === 'deploy').map((e) => [e.stack, { seconds: e.seconds, resources: e.summary?.add ?? 0 }]),
  );
}

function report(steps: readonly Timed[], stacks: Record<string, StackDeploy>, say: (text: string) => void): void {
  const longest =
    Math.max(
      ...Object.entries(stacks)
        .filter(([s]) => s !== 'foundation')
        .map(([, s]) => s.seconds),
    ) + (stacks.foundation?.seconds ?? 0);
  const sum = Object.values(stacks).reduce((a, b) => a + b.seconds, 0);
  const cutOver = steps.find((s) => s.name.startsWith('cut-over'))!;
  const bare = steps.find((s) => s.name.startsWith('bare terraform apply'))!;
  say('\nLocal deploy test (Terraform against moto)');
  say(
    table(
      ['step', 'seconds'],
      steps.map((s) => [s.name, s.seconds.toFixed(1)]),
    ),
  );
  say(
    table(
      ['stack (first deploy)', 'resources', 'seconds'],
      Object.entries(stacks).map(([s, t]) => [s, t.resources, t.seconds.toFixed(1)]),
    ),
  );
  say(
    `first deploy: ${steps[0].seconds.toFixed(0)} s wall time; longest chain of stacks ${longest.toFixed(0)} s (foundation, then the slowest stack); all stacks one after another ${sum.toFixed(0)} s`,
  );
  say(
    `switch: ${cutOver.seconds.toFixed(1)} s as the runbook applies it, ${bare.seconds.toFixed(1)} s for a bare terraform apply of a saved plan`,
  );
  writeFileSync(
    join(WORK, 'report.json'),
    JSON.stringify(
      {
        steps,
        stacks: Object.fromEntries(Object.entries(stacks).map(([s, t]) => [s, t.seconds])),
        resources: Object.fromEntries(Object.entries(stacks).map(([s, t]) => [s, t.resources])),
        longestChainSeconds: longest,
        switch: { runbookSeconds: cutOver.seconds, bareApplySeconds: bare.seconds },
      },
      null,
      2,
    ) + '\n',
  );
}

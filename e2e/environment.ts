/**
 * What the local deploy test needs of the machine, found or refused with a reason:
 * Terraform on the PATH, a provider mirror holding hashicorp/aws, and moto (the AWS
 * API emulator), started on a free loopback port and always stopped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** A missing prerequisite: `npm run e2e` names it and exits 2. */
export class MissingTool extends Error {}

export function terraformVersion(): string {
  const r = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  if (r.error || r.status !== 0) throw new MissingTool('terraform is not on the PATH (the local deploy test runs the real Terraform CLI)');
  return (JSON.parse(r.stdout) as { terraform_version: string }).terraform_version;
}

/** Where machines of this kind keep an offline provider mirror, looked at before searching. */
const KNOWN_MIRRORS = [
  '/opt/tf-plugins',
  '/usr/share/terraform/plugins',
  '/usr/local/share/terraform/plugins',
  join(homedir(), '.terraform.d', 'plugins'),
];

const AWS_PROVIDER = join('registry.terraform.io', 'hashicorp', 'aws');

/** The mirror's root (the folder holding `registry.terraform.io/`) and the AWS provider versions it holds. */
export function providerMirror(env: NodeJS.ProcessEnv = process.env): { root: string; versions: string[] } {
  const versionsIn = (root: string) => (existsSync(join(root, AWS_PROVIDER)) ? readdirSync(join(root, AWS_PROVIDER)).sort() : []);
  if (env.STAGING_TF_MIRROR) {
    const versions = versionsIn(env.STAGING_TF_MIRROR);
    if (versions.length === 0)
      throw new MissingTool(`STAGING_TF_MIRROR=${env.STAGING_TF_MIRROR} holds no ${AWS_PROVIDER}/<version>/ folder`);
    return { root: env.STAGING_TF_MIRROR, versions };
  }
  for (const root of KNOWN_MIRRORS) {
    const versions = versionsIn(root);
    if (versions.length > 0) return { root, versions };
  }
  const found = spawnSync(
    'find',
    [
      '/',
      '-xdev',
      '(',
      '-path',
      '/proc',
      '-o',
      '-path',
      '/sys',
      '-o',
      '-name',
      'node_modules',
      ')',
      '-prune',
      '-o',
      '-path',
      `*${AWS_PROVIDER}/*`,
      '-name',
      'terraform-provider-aws*',
      '-print',
      '-quit',
    ],
    { encoding: 'utf8' },
  ).stdout.trim();
  if (!found) {
    throw new MissingTool(
      `no Terraform provider mirror with ${AWS_PROVIDER} found; set STAGING_TF_MIRROR to the folder that holds registry.terraform.io/`,
    );
  }
  // <root>/registry.terraform.io/hashicorp/aws/<version>/<platform>/terraform-provider-aws…
  const root = dirname(dirname(dirname(dirname(dirname(dirname(found))))));
  return { root, versions: versionsIn(root) };
}

/** A Terraform CLI configuration that installs providers from the mirror and nowhere else. */
export function writeCliConfig(file: string, mirrorRoot: string): void {
  writeFileSync(
    file,
    `# Written by npm run e2e: providers come from the local mirror only.\nprovider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirrorRoot)}\n  }\n}\n`,
  );
}

/** The AWS CLI the runbook's commands and the secrets script call. */
export function awsCliVersion(): string {
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new MissingTool(
      'the AWS CLI (aws) is not on the PATH: the secrets script and the runbook call it (Debian: apt-get install awscli)',
    );
  return (r.stdout || r.stderr).trim().split(' ')[0];
}

export function motoVersion(): string {
  const r = spawnSync('python3', ['-c', 'import moto, flask, werkzeug; print(moto.__version__)'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new MissingTool('moto (with Flask) is not importable by python3: pip install "moto[server]"');
  return r.stdout.trim();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Emulator {
  readonly endpoint: string;
  stop(): void;
}

/** Starts moto on a loopback port; the returned handle stops it, and so does this process's exit. */
export async function startMoto(logFile: string): Promise<Emulator> {
  const port = await freePort();
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn('python3', [join(__dirname, 'moto_server.py'), '127.0.0.1', String(port)], {
    stdio: ['ignore', log, log],
    detached: true,
  });
  let stopped = false;
  const stop = () => {
    if (stopped || child.pid === undefined) return;
    stopped = true;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.once('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop();
      process.exit(130);
    });
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode} at start; see ${logFile}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return { endpoint, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  stop();
  throw new Error(`moto did not answer on ${endpoint} within 30 s; see ${logFile}`);
}

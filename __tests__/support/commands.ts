/** Commands the host tests run as root: status and all output, or a throw naming the command and what it printed. */
import { spawnSync } from 'node:child_process';

export interface Ran {
  readonly status: number | null;
  readonly out: string;
}

export interface Commands {
  run(command: string, args: readonly string[], input?: string): Ran;
  must(command: string, ...args: string[]): string;
}

export function commands(options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Commands {
  const run = (command: string, args: readonly string[], input?: string): Ran => {
    const r = spawnSync(command, args, { encoding: 'utf8', input, env: options.env ?? process.env, timeout: options.timeoutMs ?? 30_000 });
    if (r.error) throw new Error(`${command}: ${r.error.message}`);
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const must = (command: string, ...args: string[]): string => {
    const r = run(command, args);
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${r.out}`);
    return r.out;
  };
  return { run, must };
}

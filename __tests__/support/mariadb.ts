/**
 * A real MariaDB for the tests (Debian's mariadb-server): a fresh data folder in a
 * temporary directory, a server on a socket there and no TCP port, stopped by the
 * caller. The runbook's SQL runs through the `mariadb` client as the steps run it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAndRemove } from './server';

export interface MariaDb {
  readonly socket: string;
  /** Runs SQL (`-e`-style, statements separated by `;`) in `database`; returns tab-separated rows, no header. */
  sql(statements: string, database?: string): string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export function startMariaDb(): MariaDb {
  const dir = mkdtempSync(join(tmpdir(), 'mariadb-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'mariadb.sock');
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  const install = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--skip-test-db', ...user], { encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`);
  const server: ChildProcess = spawn(
    'mariadbd',
    ['--no-defaults', `--datadir=${data}`, `--socket=${socket}`, '--skip-networking', `--pid-file=${join(dir, 'pid')}`, ...user],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 300 && !existsSync(socket); i++) sleep(100);
  if (!existsSync(socket)) {
    server.kill();
    throw new Error('mariadbd did not open its socket in 30 s');
  }
  const sql = (statements: string, database?: string): string => {
    const r = spawnSync('mariadb', ['--no-defaults', '-S', socket, '-u', 'root', '-N', '-B', ...(database ? [database] : [])], {
      input: statements,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`SQL failed: ${r.stderr}`);
    return r.stdout;
  };
  return {
    socket,
    sql,
    stop: stopAndRemove(server, dir),
  };
}

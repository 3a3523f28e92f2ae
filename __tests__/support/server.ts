/** A test server's stop: SIGTERM, then its temporary folder removed once it has exited. */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

export const stopAndRemove = (server: ChildProcess, dir: string) => (): Promise<void> =>
  new Promise((resolve) => {
    server.once('exit', () => {
      rmSync(dir, { recursive: true, force: true });
      resolve();
    });
    server.kill('SIGTERM');
  });

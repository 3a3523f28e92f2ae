#!/usr/bin/env node
/**
 * `npx cdktf` in this project: cdktf-cli's own command, unchanged, except that a refused
 * input exits 2 as every other command of the project does. cdktf-cli 0.21.0 ends every
 * failed command with exit 1 whatever its app exited with (the yargs `.fail` handler of
 * its bundle/bin/cdktf.js); the app, when it refuses its input, also writes the refusal to
 * the file STAGING_REFUSAL_FILE names (bin/command.ts), and this wrapper exits 2 when it
 * finds it. Linked over node_modules/.bin/cdktf by the postinstall (bin/link-cdktf.js).
 */
'use strict';
const { spawn } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { dirname, join } = require('node:path');

/** cdktf-cli's command, as its package.json declares it. */
function cdktfCli() {
  const manifest = require.resolve('cdktf-cli/package.json', { paths: [join(__dirname, '..')] });
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8'));
  return join(dirname(manifest), typeof bin === 'string' ? bin : bin.cdktf);
}

const scratch = mkdtempSync(join(tmpdir(), 'staging-cdktf-'));
const refusal = join(scratch, 'refusal');
const child = spawn(process.execPath, [cdktfCli(), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, STAGING_REFUSAL_FILE: refusal },
});
// Ctrl-C reaches both processes (one process group) and cdktf decides how it ends; a signal
// sent to this process alone is passed on.
process.on('SIGINT', () => {});
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  const refused = existsSync(refusal);
  rmSync(scratch, { recursive: true, force: true });
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code !== 0 && refused ? 2 : (code ?? 1));
});

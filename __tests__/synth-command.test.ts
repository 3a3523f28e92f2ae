/**
 * `npm run synth` (the app run directly) writes the same cdktf.out as `npx cdktf synth`,
 * file for file and byte for byte, so every later command can take either
 * (`npm run stacks`, `cdktf deploy --skip-synth`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..');

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return out;
}

test('the app alone and cdktf synth write the same output', () => {
  const work = mkdtempSync(join(tmpdir(), 'staging-synth-command-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1' };
    delete env.CDKTF_OUTDIR;
    const direct = spawnSync(process.execPath, ['-r', './bin/register.js', 'main.ts'], {
      cwd: ROOT,
      env: { ...env, CDKTF_OUTDIR: join(work, 'direct') },
      encoding: 'utf8',
    });
    expect(direct.status).toBe(0);
    const cli = spawnSync('npx', ['cdktf', 'synth', '--output', join(work, 'cli')], { cwd: ROOT, env, encoding: 'utf8' });
    expect(cli.status).toBe(0);
    const byCli = files(join(work, 'cli'));
    expect(Object.keys(byCli).length).toBeGreaterThan(6);
    expect(files(join(work, 'direct'))).toEqual(byCli);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

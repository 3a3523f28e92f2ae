/**
 * The postinstall's link (bin/link-cdktf.js) in a scratch project: it takes
 * node_modules/.bin/cdktf from cdktf-cli, is a no-op the second time, leaves a link of
 * anything else alone, and the wrapper it links runs cdktf-cli's declared bin with the
 * arguments and exit code passed through, exit 2 only for a refusal the app wrote.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
let project: string;

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'staging-link-cdktf-'));
  mkdirSync(join(project, 'bin'));
  for (const file of ['link-cdktf.js', 'cdktf.js']) copyFileSync(join(ROOT, 'bin', file), join(project, 'bin', file));
  // A cdktf-cli whose bin says how it was called and exits as asked; when asked, it writes a refusal as the app does.
  const cli = join(project, 'node_modules', 'cdktf-cli');
  mkdirSync(join(cli, 'bundle', 'bin'), { recursive: true });
  writeFileSync(join(cli, 'package.json'), JSON.stringify({ name: 'cdktf-cli', bin: { cdktf: 'bundle/bin/cdktf' } }));
  writeFileSync(
    join(cli, 'bundle', 'bin', 'cdktf'),
    [
      'const [code, refuse] = process.argv.slice(2);',
      "if (refuse === 'refuse') require('node:fs').writeFileSync(process.env.STAGING_REFUSAL_FILE, 'error: x\\n');",
      'process.stdout.write(JSON.stringify(process.argv.slice(2)));',
      'process.exit(Number(code));',
    ].join('\n'),
  );
  mkdirSync(join(project, 'node_modules', '.bin'));
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

const bin = () => join(project, 'node_modules', '.bin', 'cdktf');
const link = () => spawnSync(process.execPath, [join(project, 'bin', 'link-cdktf.js')], { encoding: 'utf8' });
const cdktf = (...args: string[]) => spawnSync(bin(), args, { encoding: 'utf8' });

test("takes cdktf-cli's link, and a second run changes nothing", () => {
  symlinkSync('../cdktf-cli/bundle/bin/cdktf', bin());
  expect(link().status).toBe(0);
  expect(readlinkSync(bin())).toBe(join('..', '..', 'bin', 'cdktf.js'));
  expect(link()).toMatchObject({ status: 0, stderr: '' });
  expect(readlinkSync(bin())).toBe(join('..', '..', 'bin', 'cdktf.js'));
});

test("leaves a link that is not cdktf-cli's alone, and says so", () => {
  symlinkSync('../elsewhere/cdktf', bin());
  const result = link();
  expect(result.status).toBe(0);
  expect(result.stderr).toContain("node_modules/.bin/cdktf is not cdktf-cli's");
  expect(readlinkSync(bin())).toBe('../elsewhere/cdktf');
});

test('the wrapper passes arguments and exit codes through, and exits 2 for a refusal only', () => {
  symlinkSync('../cdktf-cli/bundle/bin/cdktf', bin());
  link();
  expect(cdktf('0', 'synth')).toMatchObject({ status: 0, stdout: '["0","synth"]' });
  expect(cdktf('1', 'keep')).toMatchObject({ status: 1 });
  expect(cdktf('1', 'refuse')).toMatchObject({ status: 2 });
  // A refusal written by a command that still succeeded changes nothing.
  expect(cdktf('0', 'refuse')).toMatchObject({ status: 0 });
});

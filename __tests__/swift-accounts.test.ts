/**
 * Swift parity through the API (runbook/swift-accounts.ts): the lister reads every
 * project's account, page by page, as the staging's admin made reseller admin, and the
 * canary objects' ETags, from a stand-in Keystone v2 and Swift proxy answering in the
 * releases' formats; the comparison names what the new side lists differently; the
 * steps sit where the copy is complete and the sides are up.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECRETS_FILE } from '../assets/secrets';
import { listingProblems, listingTotals, resultsIn, swiftListing } from '../runbook/checks';
import { listingLines, LISTER } from '../runbook/swift-accounts';
import { stepsFor } from './support/runbook';

jest.setTimeout(30_000);

const ADMIN = 'a0';
const JAPANESE = 'カナリア';
// The canary's containers are in their projects' own accounts (pa, pj), as the canary user made them.
const accounts = {
  [`AUTH_${ADMIN}`]: { 'not-canary': [{ name: 'x', hash: 'e5', bytes: 5 }] },
  AUTH_pa: {
    'canary-a': [
      { name: 'one.txt', hash: 'e1', bytes: 10 },
      { name: 'two.txt', hash: 'e2', bytes: 20 },
      { name: 'three.txt', hash: 'e3', bytes: 30 },
    ],
  },
  AUTH_pj: { [JAPANESE]: [{ name: `${JAPANESE}.txt`, hash: 'e4', bytes: 12 }] },
  AUTH_p1: { c1: [{ name: 'o', hash: 'e6', bytes: 1 }], c2: [], c3: [{ name: 'o', hash: 'e7', bytes: 7 }] },
};

async function standin(config: object): Promise<{ url: string; child: ChildProcess; calls: () => string[]; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'swift-standin-'));
  const log = join(dir, 'calls.log');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, log }));
  const child = spawn('python3', [join(__dirname, 'fixtures', 'swift-keystone-standin.py'), join(dir, 'config.json')]);
  const port = await new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.stdout.once('data', (d) => resolve(String(d).trim()));
  });
  return { url: `http://127.0.0.1:${port}`, child, calls: () => readFileSync(log, 'utf8').trim().split('\n'), dir };
}

/** The step's own lines (secrets file moved into the test's folder), run by bash with `python` being python3. */
function list(url: string, dir: string, password: string, canary: readonly string[]) {
  writeFileSync(join(dir, 'secrets.env'), `KEYSTONE_ADMIN_PASSWORD=${password}\n`);
  spawnSync('ln', ['-sf', spawnSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).stdout.trim(), join(dir, 'python')]);
  const lines = listingLines('127.0.0.1', '127.0.0.1').map((l) =>
    l
      .replace(`. ${SECRETS_FILE}`, `. ${join(dir, 'secrets.env')}`)
      .replace('http://127.0.0.1:35357/v2.0', `${url}/v2.0`)
      .replace('http://127.0.0.1:8080/v1', `${url}/v1`),
  );
  return spawnSync('bash', ['-c', ['set -euo pipefail', ...lines].join('\n'), 'list', ...canary], {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    encoding: 'utf8',
  });
}

describe('the lister', () => {
  test("grants the admin reseller admin once, then lists every project's containers and the canary objects, page by page", async () => {
    const s = await standin({ password: 'pw123', admin: ADMIN, projects: ['pj', 'p1', ADMIN, 'p2', 'pa'], accounts, missing: ['AUTH_p2'] });
    try {
      const run = list(s.url, s.dir, 'pw123', ['canary-a', JAPANESE]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const lines = swiftListing(run.stdout, 'stdout');
      expect(lines).toEqual([
        ['container', `AUTH_${ADMIN}`, 'not-canary', 1, 5],
        ['container', 'AUTH_p1', 'c1', 1, 1],
        ['container', 'AUTH_p1', 'c2', 0, 0],
        ['container', 'AUTH_p1', 'c3', 1, 7],
        ['container', 'AUTH_pa', 'canary-a', 3, 60],
        ['object', 'AUTH_pa', 'canary-a/one.txt', 'e1', 10],
        ['object', 'AUTH_pa', 'canary-a/three.txt', 'e3', 30],
        ['object', 'AUTH_pa', 'canary-a/two.txt', 'e2', 20],
        ['container', 'AUTH_pj', JAPANESE, 1, 12],
        ['object', 'AUTH_pj', `${JAPANESE}/${JAPANESE}.txt`, 'e4', 12],
      ]);
      expect(listingTotals(lines)).toEqual({ accounts: 4, containers: 6, objects: 7, bytes: 85 });
      const calls = s.calls();
      expect(calls.filter((c) => c.startsWith('POST /v2.0/OS-KSADM/roles'))).toHaveLength(1);
      expect(calls.filter((c) => c.startsWith('PUT /v2.0/tenants/a0/users/admin-user/roles/OS-KSADM/'))).toHaveLength(1);
      // Three containers with a page of two: a second page from the marker, then the end.
      expect(calls).toContain('GET /v1/AUTH_p1?format=json&marker=c2');
    } finally {
      s.child.kill();
      rmSync(s.dir, { recursive: true, force: true });
    }
  });

  test('an admin who already holds the role is not granted it again; a refused login fails the step', async () => {
    const s = await standin({ password: 'pw123', admin: ADMIN, projects: [ADMIN], accounts, reseller: true });
    try {
      expect(list(s.url, s.dir, 'pw123', []).status).toBe(0);
      expect(s.calls().filter((c) => c.includes('OS-KSADM'))).toEqual([]);
      const refused = list(s.url, s.dir, 'wrong', []);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain('401');
    } finally {
      s.child.kill();
      rmSync(s.dir, { recursive: true, force: true });
    }
  });

  test('its Python is the same text the step writes, and reads under Python 3 too', () => {
    expect(listingLines('k', 'p').join('\n')).toContain(LISTER.trim());
    expect(spawnSync('python3', ['-c', `import ast; ast.parse(${JSON.stringify(LISTER)})`]).status).toBe(0);
  });
});

describe('the comparison', () => {
  const old = swiftListing(
    [
      '["container", "AUTH_a", "c", 2, 10]',
      '["container", "AUTH_a", "gone", 1, 1]',
      '["object", "AUTH_a", "c/o", "etag1", 5]',
      '["container", "AUTH_b", "d", 0, 0]',
    ].join('\n'),
    'old',
  );

  test('the same listing has no problem', () => expect(listingProblems(old, old)).toEqual([]));

  test('a missing, an extra and a differently counted container, and a changed ETag, are each named', () => {
    const fresh = swiftListing(
      [
        '["container", "AUTH_a", "c", 1, 5]',
        '["object", "AUTH_a", "c/o", "etag2", 5]',
        '["container", "AUTH_b", "d", 0, 0]',
        '["container", "AUTH_b", "new", 0, 0]',
      ].join('\n'),
      'new',
    );
    expect(listingProblems(old, fresh)).toEqual([
      'container AUTH_a/c: old 2 objects, 10 bytes, new 1 objects, 5 bytes',
      'container AUTH_a/gone: missing on the new side (old: 1 objects, 1 bytes)',
      'object AUTH_a/c/o: old ETag etag1, 5 bytes, new ETag etag2, 5 bytes',
      'container AUTH_b/new: only on the new side (0 objects, 0 bytes)',
    ]);
  });

  test('a line that is not a listing line is refused with the file named', () => {
    expect(() => swiftListing('["container", "AUTH_a", "c", "2", 10]', 'x.jsonl')).toThrow(/^x\.jsonl: not a listing line/);
  });
});

test('checks-cli swift-accounts: exit 0 and the totals for equal sides, exit 1 and the differences otherwise, one marked result line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'swift-accounts-cli-'));
  try {
    const old = '["container", "AUTH_a", "c", 2, 10]\n["object", "AUTH_a", "c/o", "e1", 5]\n';
    writeFileSync(join(dir, 'old.jsonl'), old);
    const cli = (fresh: string) => {
      writeFileSync(join(dir, 'new.jsonl'), fresh);
      return spawnSync(
        process.execPath,
        ['-r', './bin/register.js', 'runbook/checks-cli.ts', 'swift-accounts', join(dir, 'old.jsonl'), join(dir, 'new.jsonl')],
        { cwd: join(__dirname, '..'), encoding: 'utf8' },
      );
    };
    const same = cli(old);
    expect(same.status).toBe(0);
    expect(resultsIn(same.stdout)).toEqual([{ check: 'swift-accounts', accounts: 1, containers: 1, objects: 2, bytes: 10, problems: [] }]);
    const changed = cli(old.replace('"e1"', '"e2"'));
    expect(changed.status).toBe(1);
    expect(changed.stdout).toContain('swift: object AUTH_a/c/o: old ETag e1, 5 bytes, new ETag e2, 5 bytes');
    expect(resultsIn(changed.stdout)).toEqual([
      expect.objectContaining({ check: 'swift-accounts', problems: [expect.stringContaining('AUTH_a/c/o')] }),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the old side is read after the delta copy with the API closed, the new side once it runs and before the cut-over', () => {
  const ids = stepsFor('reference').map((s) => s.id);
  for (const round of ['upgrade-1', 'upgrade-2']) {
    const at = (id: string) => ids.indexOf(`${round}.${id}`);
    expect(at('swift-accounts-old')).toBeGreaterThan(at('swift-copy-delta'));
    expect(at('swift-accounts-old')).toBeLessThan(at('stop-old'));
    expect(at('swift-accounts-new')).toBeGreaterThan(at('start-new'));
    expect(at('swift-accounts-new')).toBeLessThan(at('cut-over'));
  }
});

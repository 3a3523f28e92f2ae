/**
 * Every node's user data, of both profiles, checked by cloud-init's own schema
 * validation (Debian's `cloud-init`): all documents through the function the
 * `cloud-init schema --config-file` command runs, batched in one process, and the
 * command itself on one reference node of every role and side.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { userData } from '../assets/cloud-init';
import { interpreterOf, pooled, PROFILE_NAMES, rendered, requireTool, run, writeTree } from './fixtures/assets';
import { EL_KEYS_075, WRITE_FILE_KEYS_075 } from './fixtures/cloud-init-075';

jest.setTimeout(120_000);

const BATCH = join(__dirname, 'fixtures/cloud-init-schema.py');

/** Every node document of both profiles, written out: path -> profile and node. */
const documents: { file: string; profile: string; node: string; role: string; side: string }[] = [];
let batch: Record<string, { error: string | null; deprecations: string }> = {};

beforeAll(async () => {
  requireTool('cloud-init');
  for (const profile of PROFILE_NAMES) {
    const r = rendered(profile);
    const dir = writeTree(
      r.assets.filter((a) => a.path.startsWith('nodes/')),
      `cloud-init-${profile}-`,
    );
    for (const node of r.plan.nodes)
      documents.push({ file: join(dir, `nodes/${node.name}.cloud-init.yaml`), profile, node: node.name, role: node.role, side: node.side });
  }
  const result = await run(interpreterOf('cloud-init'), [BATCH, ...documents.map((d) => d.file)]);
  if (result.code !== 0) throw new Error(`schema batch failed: ${result.stderr}`);
  batch = JSON.parse(result.stdout);
});

const noDeprecation = (text: string) => text.replace('Cloud config schema deprecations:', '').trim();

test("cloud-init's schema accepts every node's user data, without deprecations", () => {
  expect(documents.length).toBe(rendered('reference').plan.nodes.length + rendered('two-regions').plan.nodes.length);
  const problems = documents.filter((d) => batch[d.file]?.error !== null || noDeprecation(batch[d.file]?.deprecations ?? 'missing') !== '');
  expect(
    problems.map((d) => `${d.profile} ${d.node}: ${batch[d.file]?.error ?? ''} ${batch[d.file]?.deprecations ?? 'not checked'}`),
  ).toEqual([]);
});

test('`cloud-init schema --config-file` accepts one reference node of every role and side', async () => {
  // The command costs a Python start per file (about 0.35 s): the batch above covers every node.
  const seen = new Set<string>();
  const picks = documents.filter((d) => {
    const key = `${d.role}/${d.side}`;
    if (d.profile !== 'reference') return false;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const roles = new Set(rendered('reference').plan.nodes.map((n) => n.role));
  expect(new Set(picks.map((p) => p.role))).toEqual(roles);
  const results = await pooled(
    picks.map((p) => () => run('cloud-init', ['schema', '--config-file', p.file])),
    Math.max(2, cpus().length),
  );
  expect(results.map((r, i) => `${picks[i].profile} ${picks[i].node}: ${r.code} ${r.stdout.trim()} ${r.stderr.trim()}`)).toEqual(
    picks.map((p) => `${p.profile} ${p.node}: 0 Valid cloud-config: ${p.file} `),
  );
});

test('the same check rejects a broken document (it can fail)', async () => {
  const [first] = documents;
  const broken = first.file.replace(/\.yaml$/, '.broken.yaml');
  writeFileSync(
    broken,
    rendered('reference')
      .assets.find((a) => a.path === `nodes/${first.node}.cloud-init.yaml`)!
      .content.replace('package_upgrade: false', 'package_upgrade: "no"\nmounts: /srv/node'),
  );
  const result = await run(interpreterOf('cloud-init'), [BATCH, broken]);
  expect(JSON.parse(result.stdout)[broken].error).toMatch(/mounts/);
  const cli = await run('cloud-init', ['schema', '--config-file', broken]);
  expect(cli.code).not.toBe(0);
});

describe("cloud-init 0.7.5 as EL6 and EL7 package it (the era's images)", () => {
  test.each(PROFILE_NAMES)('%s: every node uses only keys its modules read, and nothing 0.7.5 ignores', (name) => {
    const r = rendered(name);
    for (const node of r.plan.nodes) {
      const d = parse(userData(r.plan, node, r.options)) as Record<string, any>;
      expect([node.name, Object.keys(d).filter((k) => !EL_KEYS_075.has(k))]).toEqual([node.name, []]);
      for (const f of d.write_files ?? [])
        expect([f.path, Object.keys(f).filter((k) => !WRITE_FILE_KEYS_075.has(k))]).toEqual([f.path, []]);
      // cc_yum_add_repo skips a repository without a baseurl.
      for (const [id, repo] of Object.entries<any>(d.yum_repos ?? {})) expect([id, typeof repo.baseurl]).toEqual([id, 'string']);
      // The OS archive's repositories are written by a boot command before any that installs.
      const commands: string[] = d.bootcmd.map((c: string[]) => c[2]);
      const repos = commands.findIndex((c) => c.includes('> staging-os.repo'));
      expect(repos).toBeGreaterThanOrEqual(0);
      commands.forEach((c, i) => c.includes('yum -y install') && expect([node.name, i > repos]).toEqual([node.name, true]));
    }
  });

  test('the check sees what 0.7.5 on EL would ignore (it can fail)', () => {
    expect(['fs_setup', 'disk_setup', 'ntp', 'power_state'].filter((k) => EL_KEYS_075.has(k))).toEqual([]);
    expect(['bootcmd', 'write_files', 'yum_repos', 'packages', 'runcmd', 'mounts'].every((k) => EL_KEYS_075.has(k))).toBe(true);
    expect(WRITE_FILE_KEYS_075.has('append')).toBe(false);
  });
});

/**
 * Every node's user data, of both profiles, checked by cloud-init's own schema
 * validation (Debian's `cloud-init`): all documents through the function the
 * `cloud-init schema --config-file` command runs, batched in one process, and the
 * command itself on one reference node of every role and side.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { interpreterOf, pooled, PROFILE_NAMES, rendered, requireTool, run, writeTree } from './fixtures/assets';

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

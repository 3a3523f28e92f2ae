/**
 * The synthesis shortcuts (stacks/synthesis.ts) change nothing in the output: the
 * same stack resolved by cdktf alone and through the shortcut, with every kind of
 * token; and the default and OpenStack clones synthesized both ways, byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { App, Aspects, Fn, Lazy, TerraformIterator, TerraformOutput, TerraformStack, Token } from 'cdktf';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { fitsJsonStringify } from '../stacks/stable-json';
import { copyResolving, resolvePlainValuesDirectly, tuneSynthesis } from '../stacks/synthesis';

jest.setTimeout(60_000);

function stackWithEveryKindOfToken(): TerraformStack {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'staging-synthesis-')) });
  const stack = new TerraformStack(app, 'tokens');
  const group = new SecurityGroup(stack, 'group', { name: 'g', tags: { plain: 'value', number: '0644' } });
  const each = TerraformIterator.fromMap({
    a: { text: `prefix ${group.id} middle ${group.name} end`, port: 22, script: 'line one\nline ${literal} two\n', list: ['x', 'y'] },
    b: { text: 'no token at all', port: 2.5e3, script: '', list: [] },
  });
  new Instance(stack, 'nodes', {
    forEach: each,
    ami: each.getString('text'),
    instanceType: Fn.join('-', [group.name, 'large']),
    vpcSecurityGroupIds: Fn.split(',', group.description),
    secondaryPrivateIps: [group.id, 'literal', group.name],
    userData: `#!/bin/sh\necho ${Token.asString(group.revokeRulesOnDelete)} ${Fn.upper(group.name)} \${HOME}\n`,
    tags: Token.asStringMap(Fn.merge([{ Name: Lazy.stringValue({ produce: () => 'lazy name' }) }, group.tagsAll])),
    volumeTags: { Name: Lazy.stringValue({ produce: () => 'lazy name' }), empty: '' },
    rootBlockDevice: { volumeSize: each.getNumber('port'), volumeType: undefined, iops: group.getNumberAttribute('owner_id') },
  });
  new TerraformOutput(stack, 'numbers', { value: [group.getNumberAttribute('owner_id'), 1e21, -0.5] });
  new TerraformOutput(stack, 'list', { value: Fn.concat([Fn.split(',', group.name), ['z']]) });
  // An override holding a token: only the whole document's last resolution sees it.
  stack.addOverride('locals.from_override', Lazy.stringValue({ produce: () => `late ${group.name}` }));
  return stack;
}

test('a stack with every kind of token resolves the same with and without the shortcut', () => {
  const stack = stackWithEveryKindOfToken();
  stack.prepareStack();
  const byCdktf = JSON.stringify(stack.toTerraform());
  resolvePlainValuesDirectly();
  const shortcut = JSON.stringify(stack.toTerraform());
  expect(shortcut).toBe(byCdktf);
  expect(byCdktf).toContain('prefix ${aws_security_group.group.id} middle');
  expect(byCdktf).toContain('"from_override":"late ${aws_security_group.group.name}"');
});

test('token-free values are copied without asking cdktf, undefined members dropped; preparing only visits', () => {
  const asked: unknown[] = [];
  const ask = (part: unknown) => {
    asked.push(part);
    return 'resolved';
  };
  const value = { a: 'text', b: [1, 'two', undefined, { c: null, d: undefined }], e: true, f: new Date(0) };
  expect(copyResolving(value, { ask, keep: true })).toEqual({ a: 'text', b: [1, 'two', { c: null }], e: true, f: new Date(0) });
  expect(asked).toEqual([]);
  // Anything that may hold a token is handed over: a token inside text alone, text cdktf treats specially whole.
  const parts = { t: 'x ${TfToken[TOKEN.1]} y', n: Token.asNumber({ resolve: () => 1 }), e: 'x e+ y', escape: '${x} ${TfToken[TOKEN.1]}', list: ['#{TfToken[TOKEN.2]}'] };
  expect(copyResolving(parts, { ask, keep: true })).toEqual({ t: 'x resolved y', n: 'resolved', e: 'resolved', escape: 'resolved', list: 'resolved' });
  expect(asked).toEqual(['${TfToken[TOKEN.1]}', parts.n, parts.e, parts.escape, parts.list]);
  // The preparing pass only visits: the same parts are asked, nothing is built.
  asked.length = 0;
  expect(copyResolving({ nested: [parts] }, { ask, keep: false })).toBeUndefined();
  expect(asked).toEqual(['${TfToken[TOKEN.1]}', parts.n, parts.e, parts.escape, parts.list]);
});

test('an aspect changing an element after the preparing pass still shows (prepared fragments are not reused then)', () => {
  tuneSynthesis({});
  const outdir = mkdtempSync(join(tmpdir(), 'staging-synthesis-'));
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'aspects');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new SecurityGroup(stack, 'group', { name: 'g', description: 'as built' });
  // Aspects run between cdktf's two passes.
  Aspects.of(stack).add({ visit: (node) => (node instanceof SecurityGroup ? node.addOverride('description', 'set by an aspect') : undefined) });
  app.synth();
  const json = JSON.parse(readFileSync(join(outdir, 'stacks/aspects/cdk.tf.json'), 'utf8'));
  expect(json.resource.aws_security_group.group.description).toBe('set by an aspect');
});

/** Every file of a folder, by relative path. */
function tree(dir: string): Record<string, string> {
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

test.each([
  ['the default clone', {}],
  ['the OpenStack clone', { STAGING_TARGET: 'openstack' }],
])('%s synthesizes byte for byte the same through cdktf alone (STAGING_TOKEN_TRACES=1)', (_, env: Record<string, string>) => {
  const root = join(__dirname, '..');
  const synth = (extra: Record<string, string>) => {
    const outdir = mkdtempSync(join(tmpdir(), 'staging-synthesis-'));
    const r = spawnSync(process.execPath, ['-r', './bin/register.js', 'main.ts'], { cwd: root, env: { ...process.env, ...env, ...extra, CDKTF_OUTDIR: outdir }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return tree(outdir);
  };
  const shortcut = synth({});
  const byCdktf = synth({ STAGING_TOKEN_TRACES: '1' });
  expect(Object.keys(shortcut).length).toBeGreaterThan(10);
  expect(shortcut).toEqual(byCdktf);
  // Every stack document takes the JSON.stringify path.
  const documents = Object.entries(shortcut).filter(([path]) => path.endsWith('cdk.tf.json'));
  expect(documents.filter(([, text]) => !fitsJsonStringify(JSON.parse(text))).map(([path]) => path)).toEqual([]);
});

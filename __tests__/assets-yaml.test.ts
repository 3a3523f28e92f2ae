/**
 * The direct YAML writer against the `yaml` package it replaces: the same text for
 * every node document of both profiles (and the OpenStack target), for tricky
 * values, and documents outside its subset go to the package.
 */
import { parse, stringify } from 'yaml';
import { cloudConfig } from '../assets/cloud-init';
import { assetOptionsFor } from '../assets/options';
import { buildPlan } from '../plan/plan';
import { OutsideSubset, toYaml, writeYaml, YAML_OPTIONS } from '../assets/yaml';
import { PROFILE_NAMES, rendered } from './fixtures/assets';
import { target } from './support/shapes';

const byPackage = (doc: unknown) => stringify(doc, YAML_OPTIONS);

test.each(PROFILE_NAMES)('every node document of %s is written directly, as the package writes it', (name) => {
  const r = rendered(name);
  for (const node of r.plan.nodes) {
    const { doc } = cloudConfig(r.plan, node, r.options);
    expect({ node: node.name, text: writeYaml(doc) }).toEqual({ node: node.name, text: byPackage(doc) });
  }
});

test('every node document on the OpenStack target is written as the package writes it', () => {
  const config = target('openstack');
  const plan = buildPlan(rendered('reference').profile, config);
  const options = assetOptionsFor(plan, config);
  for (const node of plan.nodes) {
    const { doc } = cloudConfig(plan, node, options);
    expect({ node: node.name, text: writeYaml(doc) }).toEqual({ node: node.name, text: byPackage(doc) });
  }
});

const TRICKY: Record<string, unknown> = {
  empty: '',
  words: 'plain words',
  yes: 'true',
  nullish: 'null',
  tilde: '~',
  octal: '0644',
  exponent: '1e3',
  float: '.5',
  hex: '0x1F',
  dash: '- a',
  lone: '-',
  colon: 'a: b',
  colonEnd: 'ends:',
  hash: '#x',
  spacedHash: 'x #y',
  single: "it's",
  double: 'say "hi"',
  both: `it's "both"`,
  percent: '%x',
  backslash: 'C:\\path',
  url: 'https://example.org/a?b=c&d',
  leadingSpace: ' x',
  indicators: ['?', '? x', '?x', '-x', 'a:b', 'a :b', 'x:', 'a#b', '[x', ']x', '*x', '!x', '|x', '>x', '@x', '`x', ',x', '{x', '}x', '&x', "'x", '"x', 'x"', 'a: b: c'],
  lookalikes: ['True', 'FALSE', 'Null', 'NULL', 'nullable', 'truthy', '+1', '-1.5', '1.', '0o17', '0x1f', '.inf', '-.Inf', '.NaN', '1e-3', 'e1', '12:30', '2025-01-01', 'yes', 'off'],
  trailingSpace: 'x ',
  script: '#!/bin/bash\necho "a: b"\n\n  indented\n',
  stripped: 'no final newline\nsecond',
  numbers: [0, -3, 1.5, 1e21],
  flags: [true, false, null],
  nested: [['sh', '-c', 'echo hi'], [], {}, [{ a: 1, b: ['x', { c: 'd' }] }]],
  blockInList: ['one\ntwo\n'],
  'spaced key': 1,
  'key: colon': 2,
  '1': 'numeric key',
  skipped: undefined,
};

test('tricky values come out as the package writes them, and read back the same', () => {
  const text = writeYaml(TRICKY);
  expect(text).toBe(byPackage(TRICKY));
  expect(parse(text)).toEqual(JSON.parse(JSON.stringify(TRICKY)));
  for (const [key, value] of Object.entries(TRICKY)) expect({ key, text: writeYaml({ [key]: value }) }).toEqual({ key, text: byPackage({ [key]: value }) });
});

test.each([
  ['non-ASCII', { name: 'café' }],
  ['a control character', { name: 'bell\u0007' }],
  ['a tab outside a block', { name: 'a\tb' }],
  ['a document marker', { name: '--- x' }],
  ['a document end marker', { name: '...x' }],
  ['a block with a document marker', { script: 'a\n---\nb\n' }],
  ['a block starting with a space', { script: '  indented\nnext\n' }],
  ['a block ending in blank lines', { script: 'text\n\n\n' }],
  ['a multi-line key', { 'a\nb': 1 }],
  ['undefined in a list', { list: [1, undefined] }],
  ['an infinite number', { n: Infinity }],
])('a document with %s goes to the package whole', (_, doc) => {
  expect(() => writeYaml(doc)).toThrow(OutsideSubset);
  expect(toYaml(doc)).toBe(byPackage(doc));
});

test('empty documents and scalars', () => {
  for (const doc of [{}, [], 'text', 3, null]) expect(toYaml(doc)).toBe(byPackage(doc));
});

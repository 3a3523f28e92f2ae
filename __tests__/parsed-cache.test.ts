/** Parsed YAML kept by content: a hit gives what parsing gives; unusual data and errors are never kept. */
import { randomUUID } from 'node:crypto';
import { cachedParse, isPlainJson } from '../profile/parsed-cache';
import { parseYaml } from '../profile/validate';

/** Text no earlier run has seen. */
const fresh = (body: string) => `# ${randomUUID()}\n${body}`;

test('a parsed document is kept and given back the same', () => {
  const text = fresh('name: x\nlist: [1, 2.5, "three", null, true]\nnested: { a: { b: [] } }\n');
  expect(cachedParse(text)).toBeUndefined();
  const parsed = parseYaml(text, 'test.yaml');
  expect(cachedParse(text)).toEqual(parsed);
  expect(parseYaml(text, 'test.yaml')).toEqual({ name: 'x', list: [1, 2.5, 'three', null, true], nested: { a: { b: [] } } });
});

test('data JSON would change is parsed every time', () => {
  const text = fresh('big: .inf\n');
  expect(parseYaml(text, 'test.yaml')).toEqual({ big: Infinity });
  expect(cachedParse(text)).toBeUndefined();
  expect([isPlainJson({ a: [1, 'x', null] }), isPlainJson(NaN), isPlainJson(-0), isPlainJson({ a: undefined }), isPlainJson(new Date(0))]).toEqual([true, false, false, false, false]);
});

test('a syntax error is never kept and names its line every time', () => {
  const text = fresh('a: 1\nb: [\n');
  for (let i = 0; i < 2; i++) expect(() => parseYaml(text, 'test.yaml')).toThrow(/line \d+.*not valid YAML/);
  expect(cachedParse(text)).toBeUndefined();
});

/** The stack-document writer against json-stable-stringify, the package cdktf writes with. */
import { fitsJsonStringify, stableJson } from '../stacks/stable-json';

test('stack documents are written as json-stable-stringify (what cdktf uses) writes them', () => {
  // cdktf's own copy of the package, the one its synthesizer calls.
  const cdktfStringify = require(require.resolve('json-stable-stringify', { paths: [require.resolve('cdktf')] })) as (v: unknown, o: object) => string | undefined;
  const values: unknown[] = [
    { b: 1, a: [1, 'two', null, undefined, () => 1, { z: {}, y: [] }], c: undefined, 'key "quoted"': 'ü\n\t"', d: new Date(0), e: { toJSON: () => ({ y: 1, x: 2 }) } },
    [],
    {},
    'text',
    42,
    null,
    [[[]], [{}], { '': 0 }],
    { z: { d: 1, c: [1, 'two', true, null, undefined] }, a: 'x\ny', m: -0, n: 1e21, u: undefined, f: () => 1 }, // the JSON.stringify path
    { a: { only: undefined } },
    { '10': 'index-like keys', '9': 'sort as text', a: 1 },
  ];
  for (const value of values) expect(stableJson(value)).toBe(cdktfStringify(value, { space: 2 }));
  expect(values.map(fitsJsonStringify)).toEqual([false, false, false, true, true, true, false, true, false, false]);
});

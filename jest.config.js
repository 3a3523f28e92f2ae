/** Tests run through SWC (no type check here: `tsc --noEmit` is its own step of `npm test`). */
module.exports = {
  testEnvironment: 'node',
  // Jest's default leaves a core free: one worker on a 2-core machine, while the ring suite mostly waits on swift-ring-builder.
  maxWorkers: 2,
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};

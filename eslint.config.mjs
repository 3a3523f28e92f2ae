// ESLint flat config: typescript-eslint's recommended rules, formatting left to Prettier.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdktf.out/', '.gen/', '.e2e/', 'coverage/', 'bench-out/', 'staging-assets/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Commands and tests load modules lazily with require() where the import is costly.
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Private modules of cdktf and its tools, and Node's loader: they change without notice (the provider
      // bindings' per-resource `lib/<resource>` entries are their documented imports and stay allowed).
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'module', message: "Node's loader internals: use a public hook (pirates) in bin/register.js only." },
            { name: 'node:module', message: "Node's loader internals: use a public hook (pirates) in bin/register.js only." },
          ],
          patterns: [
            {
              group: ['cdktf/lib/*', 'cdktf-cli/*', '@cdktf/commons/*', '@cdktf/provider-generator/*', '@cdktf/hcl2json/*'],
              message: 'a private module: import the package root',
            },
          ],
        },
      ],
    },
  },
  {
    // Cloud facts live behind the target interface (targets/facts.ts, targets/<cloud>/): a comparison with a
    // cloud's name anywhere else would treat every other cloud as the else branch.
    files: ['**/*.ts'],
    ignores: ['targets/**', '__tests__/**', 'e2e/**', 'bin/e2e.ts', 'bin/bench.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "BinaryExpression[operator=/^[!=]==?$/] > MemberExpression[property.name='cloud']",
          message: 'a cloud fact: read it from factsOf(cloud) (targets/facts.ts), or map a fact kind with a Record',
        },
        {
          selector: 'BinaryExpression[operator=/^[!=]==?$/] > Literal[value=/^(aws|openstack)$/]',
          message: 'a cloud fact: read it from factsOf(cloud) (targets/facts.ts), or map a fact kind with a Record',
        },
        {
          selector: "SwitchStatement[discriminant.property.name='cloud']",
          message: 'a switch on the cloud belongs in targets/',
        },
      ],
    },
  },
  {
    // Tests read synthesized Terraform JSON, whose shape they assert on.
    files: ['__tests__/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  prettier,
);

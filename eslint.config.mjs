import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'var/**',
      'coverage/**',
      'apps/web/dist/**',
      'packages/*/dist/**',
      '*.config.js',
      'eslint.config.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    languageOptions: { parserOptions: { projectService: false } },
    settings: {
      'import-x/resolver': { typescript: false, node: true },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/apps/**', '../../apps/*'], message: 'libs never import apps' }],
        },
      ],
    },
  },
  {
    // The benchmark measures the worker's own thread pool.
    files: ['bench/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Pure cores import no framework (CONVENTIONS: crypto, evidence, identity, lifecycle, access).
    files: [
      'libs/access/**/*.ts',
      'libs/crypto/**/*.ts',
      'libs/evidence/**/*.ts',
      'libs/identity/**/*.ts',
      'libs/lifecycle/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'typeorm', 'bullmq', 'ioredis', 'pg'],
              message: 'pure code imports no framework',
            },
          ],
        },
      ],
    },
  },
  {
    // A package is published on its own: the monorepo's import map (#config, #letters, …) does
    // not exist where it is installed, and no framework belongs in an agency's client.
    files: ['packages/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['#*'], message: 'a published package cannot use the monorepo import map' },
            {
              group: ['@nestjs/*', 'typeorm', 'bullmq', 'ioredis', 'pg'],
              message: 'pure code imports no framework',
            },
            { group: ['**/apps/**'], message: 'packages never import apps' },
          ],
        },
      ],
    },
  },
  {
    // One way into the data: only stores speak SQL (the migration layer in libs/database and
    // migrations/ aside; tests and the benchmark's seeding write their fixtures directly).
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: [
      'libs/stores/src/**',
      'libs/database/src/**',
      '**/*.spec.ts',
      '**/*.int.ts',
      '**/test/**',
      '**/testing/**',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='query']",
          message: 'SQL belongs in a store (libs/stores): add a named method there',
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);

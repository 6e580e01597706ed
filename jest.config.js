// Nest 12 ships ESM only; Jest cannot require it through ts-jest on Node 20, so SWC
// transforms both our TypeScript and those packages.
const transform = {
  '^.+\\.(t|j|mj)s$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { decoratorMetadata: true, legacyDecorator: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    },
  ],
};
const transformIgnorePatterns = [
  '/node_modules/(?!(@nestjs|file-type|nestjs-pino|strtok3|token-types|@tokenizer|uint8array-extras|uuid|jose)/)',
];
// The import map is written once, in package.json "imports"; Jest maps each to its source.
const { imports } = require('./package.json');
const moduleNameMapper = Object.fromEntries(
  Object.entries(imports).map(([name, target]) => [
    `^${name}$`,
    `<rootDir>/${target.types.replace(/^\.\//, '')}`,
  ]),
);
const common = { transform, transformIgnorePatterns, moduleNameMapper, testEnvironment: 'node' };

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,packages,bench}/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    // The multi-node layout (docs/scaling.md): `npm run test:cluster` only, one run at a time.
    {
      ...common,
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/cluster/**/*.cluster.ts'],
      testPathIgnorePatterns: process.env.POSTKASSE_CLUSTER === '1' ? [] : ['/test/cluster/'],
    },
    // Fault scenarios (docs/reliability.md): the short ones run in `npm test`, the long ones
    // only in `npm run test:faults`, which sets FAULTS_LONG=1.
    {
      ...common,
      displayName: 'faults',
      testMatch: [
        '<rootDir>/test/faults/**/*.short.ts',
        ...(process.env.FAULTS_LONG === '1' ? ['<rootDir>/test/faults/**/*.long.ts'] : []),
      ],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};

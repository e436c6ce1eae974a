/**
 * Jest runs in ESM mode (NestJS 12 is ESM-only; see package.json scripts for the flag) and
 * compiles TypeScript with SWC, keeping decorator metadata so DTO validation works as in the app.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2023',
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

export const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc, '^.+\\.js$': swc },
  // CommonJS dependencies that require() an ESM-only package need that package compiled to
  // CommonJS: Jest's own module loader cannot require ESM (@fastify/static -> content-disposition,
  // light-my-request behind app.inject() -> cookie).
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|cookie)/)'],
  // Sources import siblings as `./x.js` (Node ESM); Jest resolves those to the `.ts` file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};

export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/src', '<rootDir>/scripts', '<rootDir>/schematics'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      setupFiles: ['reflect-metadata'],
    },
  ],
};

import { shared } from './jest.config.js';

/**
 * The fault scenarios (`npm run test:faults`): slow, and each breaks servers of its own, so they
 * are a configuration apart from `npm test`'s projects.
 */
export default {
  ...shared,
  displayName: 'faults',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.fault-spec.ts'],
};

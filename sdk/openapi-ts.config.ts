import type { UserConfig } from '@hey-api/openapi-ts';

/**
 * How `src/` is generated from the API's document. `npm run openapi` in the project root runs
 * it with absolute paths in place of these two, which the generator resolves against the working
 * directory (`sdk/` for a plain `npx openapi-ts` here). A type-only import keeps the file loadable
 * from a copy outside the project, where the check's test runs it.
 */
export default {
  input: '../openapi.json',
  output: {
    path: 'src',
    // Imports carry `.js`, as Node's ESM resolution and this package's `nodenext` build need.
    module: { extension: '.js' },
  },
  plugins: [
    // The fetch client is copied into src/client/, so the package has no runtime dependency;
    // the entry exports `client` too, for the base URL and the token.
    { name: '@hey-api/client-fetch', includeInEntry: true },
    '@hey-api/typescript',
    '@hey-api/sdk',
  ],
  // No crash log files in the tree, no prompt to open an issue.
  logs: { file: false },
  interactive: false,
} satisfies UserConfig;

import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

/** ESLint with typescript-eslint's type-aware rules; layout is Prettier's (`prettier --check` in `npm run lint`). */
export default defineConfig(
  { ignores: ['dist/', 'coverage/', '.data/', 'backups/', 'schematics/**/files*/', 'sdk/src/', 'sdk/dist/'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '.ci/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // `_` names what a signature or a loop needs but the body does not use.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Functions whose contract is a promise (job processors, health checks, factories) are
      // async even when they await nothing, so that a throw is a rejection like any other.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Response bodies in end-to-end tests are supertest's and fetch's `any`: the assertions check them.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // No import cycles: a module's dependencies form a tree that reads top-down.
    files: ['src/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'migrations/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver()],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  { files: ['*.js', '.ci/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
  prettier,
);

import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electronOnly = {
  paths: [{ name: 'electron', message: 'Only src-main/app and src-main/preload may import electron.' }],
};

export default tseslint.config(
  {
    ignores: ['node_modules/', 'out/', 'dist/', 'artefacts/', 'models/training/', '.tmp/', 'coverage/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
      globals: { ...globals.browser },
    },
  },
  {
    files: ['src-renderer/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  // Import boundaries: where code may run decides what it may import.
  {
    files: [
      'src-main/services/**',
      'src-main/ipc/**',
      'src-main/workers/**',
      'src-main/cli/**',
      'scripts/**',
    ],
    rules: { 'no-restricted-imports': ['error', electronOnly] },
  },
  // Domain folders of the services own their state; the API's handlers and the app session sit above them.
  {
    files: ['src-main/services/*/**'],
    // Tests may drive a domain through the whole session, as the app does.
    ignores: ['src-main/services/api/**', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electronOnly.paths,
          patterns: [
            {
              group: ['**/api/*', '**/session', '**/projectServices'],
              message:
                'Domain folders do not import the API handlers, the session or the project registry (they import the domain folders).',
            },
          ],
        },
      ],
    },
  },
  // No import cycles in the main process (type-only imports are checked by the folder rule above).
  {
    files: ['src-main/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['src-main/ipc/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electronOnly.paths,
          patterns: [
            { group: ['node:*'], message: 'ipc/ is shared with the renderer: no node:* imports.' },
            {
              group: ['**/services/**', '**/app/**', '**/workers/**', '**/cli/**'],
              message: 'ipc/ is shared with the renderer: it imports only core/ and itself.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electronOnly.paths,
          patterns: [
            { group: ['node:*'], message: 'core/ is pure TypeScript: no node:* imports.' },
            {
              group: ['**/services/**', '**/app/**', '**/workers/**'],
              message: 'core/ depends on nothing above it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electronOnly.paths,
          patterns: [
            { group: ['node:*'], message: 'The renderer runs in a browser sandbox.' },
            {
              // core/ and ipc/ hold no Node code (their own rules say so): the renderer shares their definitions.
              group: ['**/src-main/*/**', '!**/src-main/core/**', '!**/src-main/ipc/**'],
              allowTypeImports: true,
              message:
                'The renderer reaches main only through the API (lib/api.ts); it imports main-side modules as types only (values from src-main/core and src-main/ipc).',
            },
          ],
        },
      ],
    },
  },
);

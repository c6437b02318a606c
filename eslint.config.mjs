// Lint for the TypeScript runtime and the JavaScript around it (tests, scripts, bench).
// Formatting is Prettier's; eslint-config-prettier turns off the rules that would fight it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

/**
 * The layers run one way (type imports included): nodes -> delivery -> request -> catalogue
 * -> core, client -> core; the sandbox and the editor stand alone (the editor may use core).
 */
const LAYERS = {
  core: ['catalogue', 'request', 'client', 'delivery', 'nodes', 'sandbox', 'editor'],
  catalogue: ['request', 'client', 'delivery', 'nodes', 'sandbox', 'editor'],
  client: ['catalogue', 'request', 'delivery', 'nodes', 'sandbox', 'editor'],
  request: ['client', 'delivery', 'nodes', 'sandbox', 'editor'],
  delivery: ['nodes', 'sandbox', 'editor'],
  nodes: ['sandbox', 'editor'],
  sandbox: ['core', 'catalogue', 'request', 'client', 'delivery', 'nodes', 'editor'],
  editor: ['catalogue', 'request', 'client', 'delivery', 'nodes', 'sandbox'],
};

const MOCHA_BDD = Object.fromEntries(
  ['describe', 'context', 'it', 'before', 'after', 'beforeEach', 'afterEach'].map((name) => [name, 'readonly']),
);

const boundaries = Object.entries(LAYERS).map(([layer, forbidden]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((other) => ({
          group: [`../${other}`, `../${other}/*`, `../../${other}`, `../../${other}/*`],
          message: `src/${layer} may not import from src/${other}: the layers run one way (design.md section 2).`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.node-red/', 'test-artifacts/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  ...boundaries,
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node, ...MOCHA_BDD } },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Code that runs inside the browser (the editor test's page.evaluate callbacks).
    files: ['test/editor/**/*.js'],
    languageOptions: { globals: { ...globals.browser, RED: 'readonly', $: 'readonly' } },
  },
  prettier,
);

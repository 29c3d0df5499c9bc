// Type-aware lint for the daemon, its probes, tests, benchmarks, scripts and the dashboard.
// projectService picks each file's nearest tsconfig.json: the root one (Node libs) for everything but
// dashboard/src, which gets dashboard/tsconfig.json (DOM libs), so both are checked with the types they
// are compiled with.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Only the TypeScript sources are linted; build output, config data and the one-line bin stub are not.
    ignores: ['**/dist/**', 'node_modules/**', 'config/**', 'docs/**', 'bin/**', '*.config.*'],
  },
  {
    files: [
      'src/**/*.ts',
      'probes/**/*.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'scripts/**/*.ts',
      'dashboard/src/**/*.ts',
    ],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection ends the daemon) and its
      // ordering; fire-and-forget must be spelled `void p` so a reader sees it is meant.
      '@typescript-eslint/no-floating-promises': 'error',
      // A new probe kind, state or reason must be handled everywhere a switch decides on it.
      // considerDefaultExhaustiveForUnions: a `default:` already handles whatever a union adds.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      // `_`-prefixed names are the usual way to say "this parameter is part of the signature but unused"
      // (callbacks whose shape is fixed by express, net-snmp, vitest).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Off in tests only: the `any` they flag there is a parsed HTTP/JSON body (`await res.json()`, a
      // child's JSON line) or a browser-side object (the Node tsconfig has no DOM types), read member by
      // member, mapped and passed to expect(). The expect() is the run-time check that a wrong member
      // fails; typing each body would be an unchecked `as` cast or a hand-written shape that says less
      // than the assertion. Production code (src, probes, dashboard) and bench/ keep all of them.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // test/kit/ is the one folder tests and benchmarks share; a test importing bench/ would tie the
      // suite to benchmark code again.
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)bench/', message: 'Shared helpers live in test/kit/.' }] }],
    },
  },
  {
    files: ['bench/**/*.ts'],
    rules: {
      // Benchmarks may use test/kit/ only, not a test's own helpers (move what both need into test/kit/).
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^\\.\\./test/(?!kit/)', message: 'Benchmarks import only test/kit/.' }] },
      ],
    },
  },
);

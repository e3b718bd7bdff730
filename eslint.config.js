// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.riverwatch/**', 'test-artifacts/**', 'api/dashboard/public/vendor/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Detectors and alert policy get ports injected; they never import I/O libraries (STYLE.md).
    files: ['domain/**/*.ts', 'analytics/detectors/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['mqtt', 'ioredis', 'bullmq', '@influxdata/influxdb-client', 'fastify'] }],
    },
  },
  {
    files: ['api/dashboard/public/**/*.js', 'api/public-view/page/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', EventSource: 'readonly', localStorage: 'readonly', console: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', Intl: 'readonly', Node: 'readonly' } },
  },
);

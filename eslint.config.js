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
    // The house (STYLE.md, docs/architecture.md): domain <- config <- stages (ingest, analytics, alerts) <- platform
    // <- api <- bin <- eval, bench, drill, fuzz. Stages import only domain/, config/ and their own files; they get
    // adapters (Redis, BullMQ, MQTT, InfluxDB, sockets, logger, metrics) injected through the ports in domain/.
    files: ['domain/**/*.ts', 'config/**/*.ts', 'ingest/**/*.ts', 'analytics/**/*.ts', 'alerts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['mqtt', 'ioredis', 'bullmq', '@influxdata/influxdb-client', 'fastify', 'pino', 'prom-client', 'aedes', 'node:net', 'node:child_process'],
          patterns: [{ regex: '^(\\.\\./)+(platform|api|bin|simulators|eval|bench|drill|fuzz)(/|$)', message: 'A stage imports only domain/, config/ and its own files; take the adapter as a port (domain/ports.ts).' }],
        },
      ],
    },
  },
  {
    // Adapters serve the stages; they never reach up into the API, the entry point or the tools.
    files: ['platform/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(api|bin|eval|bench|drill|fuzz)(/|$)', message: 'platform/ sits below api/ and bin/.' }] }],
    },
  },
  {
    files: ['api/dashboard/public/**/*.js', 'api/public-view/page/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', EventSource: 'readonly', localStorage: 'readonly', console: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', Intl: 'readonly', Node: 'readonly' } },
  },
);

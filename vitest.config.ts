import { defineConfig } from 'vitest/config';

/**
 * Integration files that kill or stop services, fail Redis over, or drive the whole pipeline at load: they
 * run one at a time in their own lane, with timing bounds that assume nothing else heavy runs beside them
 * but the other lane's lighter files.
 */
const FAULT_AND_LOAD_FILES = [
  'test/integration/platform/**/*.test.ts',
  'test/integration/ingest/faults.test.ts',
  'test/integration/ingest/in-flight.test.ts',
];

/**
 * Run after both lanes, with nothing beside it: the scale-out test compares alerts of two analytics processes
 * fed by two ingest processes in one share group with a single process's, and how the broker deals a station's
 * readings over the two depends on timing (section judgements past the reorder hold depend on arrival order;
 * test/unit/eval/arrival-order.test.ts). Beside the other lane's files it once raised red where the reference
 * raised orange.
 */
const ALONE_FILES = ['test/integration/scale-out/**/*.test.ts'];

const integration = {
  environment: 'node',
  // Each file starts its own Redis / Mosquitto / InfluxDB on free ports in a temporary folder.
  fileParallelism: false,
  testTimeout: 120_000,
  hookTimeout: 120_000,
} as const;

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Vitest's default is one worker fewer than the cores: one on the 2-core CI machine.
          maxWorkers: 2,
        },
      },
      // Two lanes, one file at a time each, run side by side by scripts/test-integration (vitest itself runs
      // projects of one worker one after the other).
      {
        test: {
          ...integration,
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: [...FAULT_AND_LOAD_FILES, ...ALONE_FILES],
        },
      },
      {
        test: {
          ...integration,
          name: 'integration-faults',
          include: FAULT_AND_LOAD_FILES,
        },
      },
      {
        test: {
          ...integration,
          name: 'integration-alone',
          include: ALONE_FILES,
        },
      },
    ],
  },
});

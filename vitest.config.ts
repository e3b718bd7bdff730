import { defineConfig } from 'vitest/config';

/**
 * Integration files that kill or stop services, fail Redis over, or drive the whole pipeline at load: they
 * run one at a time in their own lane, with timing bounds that assume nothing else heavy runs beside them
 * but the other lane's lighter files.
 */
const FAULT_AND_LOAD_FILES = [
  'test/integration/scale-out/**/*.test.ts',
  'test/integration/platform/**/*.test.ts',
  'test/integration/ingest/faults.test.ts',
  'test/integration/ingest/in-flight.test.ts',
];

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
          exclude: FAULT_AND_LOAD_FILES,
        },
      },
      {
        test: {
          ...integration,
          name: 'integration-faults',
          include: FAULT_AND_LOAD_FILES,
        },
      },
    ],
  },
});

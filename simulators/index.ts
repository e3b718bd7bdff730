/** Simulated stations: the `simulate` CLI, the simulator and what tests and the evaluation reuse. */
export { runSimulate, type SimulateConfig, type SimulateDeps, type SimulateRun } from './cli.js';
export { SIMULATE_USAGE } from './cli-flags.js';
export { Simulator, type SimulatorOptions } from './simulator.js';
export type { SimulationSummary } from './simulation-summary.js';
export { buildLoadFleet, type LoadFleet } from './load-fleet.js';
export { registryToFile, writeRegistryFile } from './registry-file-writer.js';
export { labelsToJsonl, writeLabelsFile } from './labels-file.js';
export type { Speed } from './pacer.js';
export * from './model/index.js';
export * from './scenario/index.js';
export * from './transports/index.js';

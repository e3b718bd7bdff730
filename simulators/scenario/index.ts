/** Scenario files: schema, loading, and compilation against a registry. */
export { ScenarioSchema, type Scenario } from './scenario-schema.js';
export {
  loadScenarioFile,
  parseScenario,
  parseScenarioText,
  resolveScenarioPath,
  shippedScenariosDir,
  type ScenarioResult,
} from './scenario-loader.js';
export { compileScenario, type CompileInput, type CompileResult } from './compile-scenario.js';

/** Runs the simulated stations inside `riverwatch start --simulate` (wired in the simulators issue). */
import type { Context } from './context.js';

export async function startEmbeddedSimulation(ctx: Context, scenario: string): Promise<void> {
  ctx.logger.warn({ scenario }, 'simulated stations are not wired yet');
}

/**
 * How each canonical parameter behaves in the simulator: which analyser
 * group it belongs to, how noisy the instrument is and how much the water
 * itself wanders. Figures are typical of field analysers (HJ/T 96–103
 * instruments, domain-facts §2), chosen so that a calm class III section stays
 * in its class; they are simulator settings, not measurements.
 */
import { CANONICAL_PARAMETERS } from '../../domain/index.js';

/** The five conventional parameters (常规五参数), reported every sampling interval. */
export const BASIC_PARAMETERS: readonly string[] = ['temp', 'ph', 'do', 'cond', 'turb'];
/** Parameters measured by wet-chemistry analysers on a cycle (4 h by default; domain-facts §2). */
export const NUTRIENT_PARAMETERS: readonly string[] = ['codmn', 'nh3n', 'tp', 'tn'];

export function isNutrient(key: string): boolean {
  return NUTRIENT_PARAMETERS.includes(key);
}

export interface ParameterBehaviour {
  /** Instrument noise: standard deviation = abs + rel × |value|. */
  readonly noiseAbs: number;
  readonly noiseRel: number;
  /** Correlation time of the instrument noise (AR(1) / Ornstein–Uhlenbeck), ms. */
  readonly noiseTauMs: number;
  /** Slow wandering of the water itself: absolute amplitude, and relative to the level. */
  readonly wanderAbs: number;
  readonly wanderRel: number;
  /** Reported decimals (from the instrument precision). */
  readonly decimals: number;
}

const MINUTE = 60_000;

const BEHAVIOUR: Readonly<Record<string, Omit<ParameterBehaviour, 'decimals'>>> = {
  temp: { noiseAbs: 0.05, noiseRel: 0, noiseTauMs: 30 * MINUTE, wanderAbs: 0.3, wanderRel: 0 },
  ph: { noiseAbs: 0.02, noiseRel: 0, noiseTauMs: 30 * MINUTE, wanderAbs: 0.05, wanderRel: 0 },
  do: { noiseAbs: 0.06, noiseRel: 0, noiseTauMs: 30 * MINUTE, wanderAbs: 0.25, wanderRel: 0 },
  cond: { noiseAbs: 2, noiseRel: 0, noiseTauMs: 30 * MINUTE, wanderAbs: 0, wanderRel: 0.03 },
  turb: { noiseAbs: 0.4, noiseRel: 0.03, noiseTauMs: 20 * MINUTE, wanderAbs: 0, wanderRel: 0.15 },
  codmn: { noiseAbs: 0.1, noiseRel: 0.02, noiseTauMs: 120 * MINUTE, wanderAbs: 0, wanderRel: 0.06 },
  nh3n: { noiseAbs: 0.01, noiseRel: 0.03, noiseTauMs: 120 * MINUTE, wanderAbs: 0, wanderRel: 0.08 },
  tp: { noiseAbs: 0.003, noiseRel: 0.03, noiseTauMs: 120 * MINUTE, wanderAbs: 0, wanderRel: 0.08 },
  tn: { noiseAbs: 0.03, noiseRel: 0.03, noiseTauMs: 120 * MINUTE, wanderAbs: 0, wanderRel: 0.06 },
};

function decimalsOf(precision: number): number {
  return Math.max(0, Math.min(6, Math.round(-Math.log10(precision))));
}

const TABLE: ReadonlyMap<string, ParameterBehaviour> = new Map(
  CANONICAL_PARAMETERS.flatMap((spec) => {
    const behaviour = BEHAVIOUR[spec.key];
    return behaviour ? [[spec.key, { ...behaviour, decimals: decimalsOf(spec.precision) }] as const] : [];
  }),
);

/** Behaviour of a canonical parameter; undefined for parameters the simulator does not model. */
export function behaviourOf(key: string): ParameterBehaviour | undefined {
  return TABLE.get(key);
}

/** Parameters the simulator can produce. */
export function simulatedParameters(): string[] {
  return [...TABLE.keys()];
}

/** Instrument noise standard deviation at a level. */
export function noiseSigma(key: string, value: number): number {
  const b = TABLE.get(key);
  return b ? b.noiseAbs + b.noiseRel * Math.abs(value) : 0;
}

/** Rounds to the instrument's resolution, as the analyser reports it. */
export function quantise(key: string, value: number): number {
  const b = TABLE.get(key);
  const decimals = b ? b.decimals : 3;
  const rounded = Number(value.toFixed(decimals));
  return Object.is(rounded, -0) ? 0 : rounded;
}

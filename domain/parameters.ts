/**
 * Canonical water-quality parameters (DESIGN.md "Canonical parameters").
 * Units, HJ 212-2017 codes and instrument precision live here so every stage
 * speaks the same keys. More parameters may be added through configuration
 * (see `ParameterTable`).
 */

/** Direction of a GB 3838 limit for a parameter. */
export type LimitKind = 'upper' | 'lower' | 'range' | 'none';

export interface ParameterSpec {
  readonly key: string;
  readonly nameZh: string;
  readonly nameEn: string;
  readonly unit: string;
  /** HJ 212-2017 pollutant code (Appendix B), e.g. `w01001` for pH. */
  readonly hj212Code: string;
  /** Physically plausible range; values outside are rejected at ingest. */
  readonly plausibleMin: number;
  readonly plausibleMax: number;
  /** Instrument resolution, used as the noise floor by detectors and the simulator. */
  readonly precision: number;
  readonly limitKind: LimitKind;
}

/** The nine parameters of a Chinese national automatic surface-water station (domain-facts §2). */
export const CANONICAL_PARAMETERS: readonly ParameterSpec[] = [
  { key: 'temp', nameZh: '水温', nameEn: 'Water temperature', unit: '°C', hj212Code: 'w01010', plausibleMin: -5, plausibleMax: 50, precision: 0.1, limitKind: 'none' },
  { key: 'ph', nameZh: 'pH', nameEn: 'pH', unit: '', hj212Code: 'w01001', plausibleMin: 0, plausibleMax: 14, precision: 0.01, limitKind: 'range' },
  { key: 'do', nameZh: '溶解氧', nameEn: 'Dissolved oxygen', unit: 'mg/L', hj212Code: 'w01009', plausibleMin: 0, plausibleMax: 25, precision: 0.01, limitKind: 'lower' },
  { key: 'cond', nameZh: '电导率', nameEn: 'Conductivity', unit: 'µS/cm', hj212Code: 'w01014', plausibleMin: 0, plausibleMax: 100000, precision: 1, limitKind: 'none' },
  { key: 'turb', nameZh: '浊度', nameEn: 'Turbidity', unit: 'NTU', hj212Code: 'w01003', plausibleMin: 0, plausibleMax: 4000, precision: 0.1, limitKind: 'none' },
  { key: 'codmn', nameZh: '高锰酸盐指数', nameEn: 'Permanganate index', unit: 'mg/L', hj212Code: 'w01019', plausibleMin: 0, plausibleMax: 200, precision: 0.1, limitKind: 'upper' },
  { key: 'nh3n', nameZh: '氨氮', nameEn: 'Ammonia nitrogen', unit: 'mg/L', hj212Code: 'w21003', plausibleMin: 0, plausibleMax: 100, precision: 0.01, limitKind: 'upper' },
  { key: 'tp', nameZh: '总磷', nameEn: 'Total phosphorus', unit: 'mg/L', hj212Code: 'w21011', plausibleMin: 0, plausibleMax: 50, precision: 0.001, limitKind: 'upper' },
  { key: 'tn', nameZh: '总氮', nameEn: 'Total nitrogen', unit: 'mg/L', hj212Code: 'w21001', plausibleMin: 0, plausibleMax: 100, precision: 0.01, limitKind: 'upper' },
];

/** Parameters known to a running system: the canonical ones plus any configured extras. */
export class ParameterTable {
  readonly #byKey = new Map<string, ParameterSpec>();
  readonly #byCode = new Map<string, ParameterSpec>();

  constructor(specs: readonly ParameterSpec[] = CANONICAL_PARAMETERS) {
    for (const spec of specs) {
      this.#byKey.set(spec.key, spec);
      this.#byCode.set(spec.hj212Code, spec);
    }
  }

  get(key: string): ParameterSpec | undefined {
    return this.#byKey.get(key);
  }

  byHj212Code(code: string): ParameterSpec | undefined {
    return this.#byCode.get(code);
  }

  has(key: string): boolean {
    return this.#byKey.has(key);
  }

  keys(): string[] {
    return [...this.#byKey.keys()];
  }

  all(): ParameterSpec[] {
    return [...this.#byKey.values()];
  }
}

/**
 * Pollutant codes as data loggers send them, resolved to HJ 212-2017 codes (Appendix B, Table B.1).
 * HJ/T 212-2005 loggers, still installed in numbers, send the table's 2005 column (`011-Rtd`, `060-Rtd`,
 * `B01-Rtd`); a station's registry entry may add or override codes (`hj212.codes`). Codes RiverWatch
 * recognises but does not track (COD, flow, ...) are counted, not dead-lettered as unknown.
 * Sources: domain-facts.md §3.6 (2005 column), lingkejia/bocon-operation-app src/lib/polcodeList05.js and
 * polcodeList17.js (2005 and 2017 lists side by side).
 */

/** Table B.1, 2005 code → 2017 code, for the water parameters the project knows (docs/hj212.md). */
export const HJ212_2005_CODES: Readonly<Record<string, string>> = {
  B01: 'w00000', // wastewater flow
  '001': 'w01001', // pH
  '002': 'w01002', // colour
  '003': 'w01012', // suspended solids
  '010': 'w01017', // BOD5
  '011': 'w01018', // COD
  '015': 'w01020', // TOC
  '060': 'w21003', // ammonia nitrogen
  '065': 'w21001', // total nitrogen
  '101': 'w21011', // total phosphorus
  '070': 'w21016', // cyanide
  '071': 'w21019', // sulfide
  '072': 'w21017', // fluoride
  '080': 'w22001', // petroleum
  '110': 'w23002', // volatile phenol
  '520': 'w19002', // LAS
  '550': 'w02003', // fecal coliform
};

/** HJ 212-2017 water codes RiverWatch recognises but does not carry into readings (not one of its parameters). */
export const UNTRACKED_WATER_CODES: ReadonlySet<string> = new Set([
  'w00000', // flow (instantaneous)
  'w00001', // flow (cumulative)
  'w01002', // colour
  'w01012', // suspended solids
  'w01016', // chlorophyll-a
  'w01017', // BOD5
  'w01018', // COD
  'w01020', // TOC
  'w01023', // biotoxicity
  'w02003', // fecal coliform
  'w19002', // LAS
  'w21016', // cyanide
  'w21017', // fluoride
  'w21019', // sulfide
  'w22001', // petroleum
  'w23002', // volatile phenol
]);

/** Resolves a code as sent to its HJ 212-2017 code: the station's own table first, then the 2005 column. */
export function resolvePollutantCode(code: string, stationCodes?: Readonly<Record<string, string>>): string {
  return stationCodes?.[code] ?? HJ212_2005_CODES[code] ?? code;
}

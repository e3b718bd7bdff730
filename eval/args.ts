/** The command line of `npm run eval`: the data file, option overrides, folds of one's own, and what to print. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSuddenChangeOptions, type SuddenChangeOptions } from '../analytics/detectors/sudden-change.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export interface Args {
  data: string;
  set: Partial<SuddenChangeOptions>;
  json: boolean;
  details: boolean;
  sensitivity: boolean;
  river: boolean;
  riverOnly: boolean;
  quick: boolean;
  replayMqtt: boolean;
  replayBatch: number;
  fitUntil: number | undefined;
  scoreFrom: number | undefined;
  /** `--feedback <file>`: score the detectors against a feedback export instead (eval/feedback-score.ts). */
  feedback: string | undefined;
}

/** Where the default folds split the GECCO development file: August | September, local time. */
export const DEFAULT_SPLIT = Date.parse('2016-09-01T00:00:00+02:00');

function dateArg(flag: string, v: string | undefined): number {
  const t = Date.parse(v ?? '');
  if (!Number.isFinite(t)) throw new Error(`${flag} needs a date, e.g. 2016-09-01T00:00+02:00`);
  return t;
}

export function parseArgs(argv: string[]): Args {
  const args: Args = {
    data: resolve(ROOT, '../shared/data/gecco2018/water_quality_aug_sep_2016.csv'),
    set: {},
    json: false,
    details: false,
    sensitivity: false,
    river: true,
    riverOnly: false,
    quick: false,
    replayMqtt: false,
    replayBatch: 1,
    fitUntil: undefined,
    scoreFrom: undefined,
    feedback: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--data') args.data = resolve(argv[++i] ?? '');
    else if (a === '--json') args.json = true;
    else if (a === '--details') args.details = true;
    else if (a === '--sensitivity') args.sensitivity = true;
    else if (a === '--no-river') args.river = false;
    else if (a === '--river-only') args.riverOnly = true;
    else if (a === '--quick') args.quick = true;
    else if (a === '--replay-mqtt') args.replayMqtt = true;
    else if (a === '--fit-until') args.fitUntil = dateArg(a, argv[++i]);
    else if (a === '--score-from') args.scoreFrom = dateArg(a, argv[++i]);
    else if (a === '--feedback') {
      const file = argv[++i];
      if (!file) throw new Error('--feedback needs the file of GET /api/v1/feedback (JSON or CSV)');
      args.feedback = resolve(file);
    }
    else if (a === '--replay-batch') {
      args.replayBatch = Number(argv[++i]);
      if (!Number.isInteger(args.replayBatch) || args.replayBatch < 1 || args.replayBatch > 1000)
        throw new Error('--replay-batch needs a whole number from 1 to 1000');
    } else if (a === '--set') {
      const [k, v] = (argv[++i] ?? '').split('=');
      if (!k || v === undefined) throw new Error(`--set needs key=value`);
      (args.set as Record<string, unknown>)[k] = v === 'true' ? true : v === 'false' ? false : Number(v);
    } else throw new Error(`unknown argument ${a}`);
  }
  if ((args.fitUntil === undefined) !== (args.scoreFrom === undefined))
    throw new Error('--fit-until and --score-from go together');
  if (args.fitUntil !== undefined && args.scoreFrom !== undefined && args.scoreFrom < args.fitUntil)
    throw new Error('--score-from must not be before --fit-until: the scored labels may not be the fitted ones');
  const problems = checkSuddenChangeOptions(args.set as Record<string, unknown>);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return args;
}

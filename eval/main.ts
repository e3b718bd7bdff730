/**
 * `npm run eval`: replays the GECCO 2018 file online through the
 * sudden-change detector and through the naive baseline of issue 5 (at the
 * textbook cut-off |z| > 3.5, and at two higher cut-offs picked in hindsight),
 * and prints the figures (point-wise P/R/F1, event recall, false-alarm episodes
 * per day, detection delay), for the whole file and for its first and second
 * half. The station and its signals come from config/eval/.
 *
 * Headline (issue 13 §1): out-of-sample figures. By default two folds, fit
 * on August and score on September, and the reverse (out-of-sample.ts: the
 * fit picks among a few cut-offs on the fit stretch's labels only, by false-
 * alarm budget, events caught, median delay, then F1: fitsBetter);
 * `--fit-until <date>` with `--score-from <date>` gives one fold of your own
 * (dates as ISO 8601, e.g. 2016-09-01T00:00+02:00). The in-sample figures of
 * the defaults (whole file, halves) follow as a secondary table.
 *
 * Options: `--data <csv>` (default ../shared/data/gecco2018/water_quality_aug_sep_2016.csv),
 * `--set key=value` (repeatable) to override a detector option for a
 * sensitivity run, `--json` to print the figures as JSON, `--details` to list
 * every labelled run (rows alarmed, alarm rows before and after it) and every
 * false-alarm episode of the sudden-change detector, `--sensitivity` to rerun
 * with one option changed at a time (about 20 replays: slower).
 *
 * After GECCO, the simulated river scenarios (river-scenarios.ts; about 40 s):
 * `--no-river` skips them, `--quick` leaves out the two calm months,
 * `--river-only` skips GECCO. `--replay-mqtt` then replays the GECCO file end
 * to end through the running pipeline over MQTT (replay-mqtt.ts; starts real
 * Redis, Mosquitto and InfluxDB on loopback, about 2 min) and compares it with
 * the offline figures; `--replay-batch N` sends N rows per MQTT message
 * (default 1). Method and definitions: docs/evaluation.md.
 *
 * `--feedback <file>` instead scores the detectors against a deployment's own
 * labels, the export of GET /api/v1/feedback (JSON or CSV; with
 * `unlabelled=true` for the unlabelled share): per kind, detector, parameter,
 * section and month (feedback-score.ts). With `--json`, as JSON.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_SUDDEN_CHANGE_OPTIONS, SuddenChangeDetector, type SignalSpec, type SuddenChangeOptions } from '../analytics/detectors/sudden-change.js';
import { loadEvalStation } from './eval-config.js';
import { evaluateStream, type EvalRange, type StreamEvaluation } from './evaluate-stream.js';
import { loadGeccoCsv, type StreamRow } from './gecco.js';
import { runsOf, type EvalMetrics } from './metrics.js';
import { crossFolds, formatFolds, pooled, rowAt, runFolds, type FoldSpec } from './out-of-sample.js';
import { NaiveDetector } from './naive-detector.js';
import { printRiverReport, riverTargets } from './river-report.js';
import { riverScenarioSpecs, runRiverScenario } from './river-scenarios.js';
import { scenarioFigures, type ScenarioFigures } from './river-summary.js';
import { loadRegistryFile } from '../config/index.js';
import { DEFAULT_SPLIT, ROOT, parseArgs, type Args } from './args.js';
import { parseFeedbackExport } from './feedback-export.js';
import { formatFeedbackScore, scoreFeedback } from './feedback-score.js';
import { HEADER, line, num, pct, verdict } from './tables.js';

const NAIVE_HINDSIGHT_Z = [8, 12];

const GECCO_REGISTRY = resolve(ROOT, 'config/eval/gecco-registry.yaml');
const GECCO_PARAMETERS = resolve(ROOT, 'config/eval/gecco-parameters.yaml');

/** The simulated river scenarios with the sample registry and default analytics options. */
function riverFigures(args: Args): ScenarioFigures[] {
  const registry = loadRegistryFile(resolve(ROOT, 'config/registry.yaml'));
  return riverScenarioSpecs(args.quick).map((spec) => scenarioFigures(runRiverScenario(spec, registry), registry));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.feedback !== undefined) {
    scoreFeedbackFile(args.feedback, args.json);
    return;
  }
  if (args.riverOnly) {
    const figs = riverFigures(args);
    if (args.json) console.log(JSON.stringify({ river: { scenarios: figs, targets: riverTargets(figs) } }, null, 2));
    else printRiverReport(figs);
    return;
  }
  const cfg = loadEvalStation(GECCO_REGISTRY, GECCO_PARAMETERS, 'GECCO-01');
  const t0 = performance.now();
  const { rows, labels } = loadGeccoCsv(args.data, cfg.signals);
  const loadMs = performance.now() - t0;
  const half = Math.floor(rows.length / 2);
  const ranges = [
    { name: 'first half', from: 0, to: half },
    { name: 'second half', from: half, to: rows.length },
  ];
  const signals = cfg.signals.map(({ key, precision, role }) => ({ key, precision, role }));
  const ours = evaluateStream(rows, labels, () => new SuddenChangeDetector(signals, args.set), { ranges });
  const folds: FoldSpec[] =
    args.fitUntil !== undefined && args.scoreFrom !== undefined
      ? [
          {
            name: 'fit → score',
            fit: { from: 0, to: rowAt(rows, args.fitUntil) },
            score: { from: rowAt(rows, args.scoreFrom), to: rows.length },
          },
        ]
      : crossFolds(rows, DEFAULT_SPLIT, ['August', 'September']);
  const outOfSample = runFolds(rows, labels, signals, folds, args.set);
  const naive = evaluateStream(rows, labels, () => new NaiveDetector(signals), { ranges });

  const endToEnd = async () => {
    // Loaded only when asked: it pulls in the whole pipeline (bin/, platform/).
    const { replayOverMqtt } = await import('./replay-mqtt.js');
    const { compareEndToEnd } = await import('./gecco-e2e.js');
    const replay = await replayOverMqtt({
      cfg,
      rows,
      registryPath: GECCO_REGISTRY,
      parametersPath: GECCO_PARAMETERS,
      batch: args.replayBatch,
    });
    return compareEndToEnd(cfg, rows, labels, ours, replay);
  };
  if (args.json) {
    const figs = args.river ? riverFigures(args) : undefined;
    const e2e = args.replayMqtt ? await endToEnd() : undefined;
    console.log(
      JSON.stringify(
        {
          data: args.data,
          rows: rows.length,
          options: { ...DEFAULT_SUDDEN_CHANGE_OPTIONS, ...args.set },
          outOfSample,
          suddenChange: summary(ours),
          naive: summary(naive),
          ...(figs ? { river: { scenarios: figs, targets: riverTargets(figs) } } : {}),
          ...(e2e ? { endToEnd: e2e } : {}),
        },
        null,
        2,
      ),
    );
    return;
  }
  const gaps = rows.filter((r) => Object.values(r.values).every((v) => v === undefined)).length;
  const iso = (ts: number): string => new Date(ts).toISOString().slice(0, 16).replace('T', ' ');
  console.log(`GECCO 2018 replay: ${args.data}`);
  console.log(
    `  ${rows.length} rows, ${iso(rows[0]?.ts ?? 0)} → ${iso(rows[rows.length - 1]?.ts ?? 0)} UTC (${num(ours.metrics.days)} days), ${ours.metrics.labelledRows} event rows in ${ours.metrics.events} runs, ${gaps} rows with every signal missing; loaded in ${num(loadMs, 0)} ms`,
  );
  console.log(
    `  station ${cfg.station.id}: quality ${signals
      .filter((s) => s.role === 'quality')
      .map((s) => `${s.key}(±${s.precision})`)
      .join(' ')}; context ${signals
      .filter((s) => s.role === 'context')
      .map((s) => s.key)
      .join(' ')}`,
  );
  console.log(
    `  halves: rows [0, ${half}) to ${iso(rows[half - 1]?.ts ?? 0)} and [${half}, ${rows.length}); one continuous replay, figures split afterwards`,
  );
  const overridden = Object.keys(args.set);
  console.log(
    `  sudden-change options: ${overridden.length === 0 ? 'built-in defaults (no option set from labels)' : `defaults except ${overridden.map((k) => `${k}=${String((args.set as Record<string, unknown>)[k])}`).join(', ')}`}`,
  );
  console.log('');
  console.log("OUT OF SAMPLE (the headline): options chosen on the fit stretch's labels, figures on the score stretch only");
  for (const l of formatFolds(outOfSample)) console.log(`  ${l}`);
  console.log('');
  console.log('In sample (secondary): the defaults on the whole file and its halves. The defaults were developed');
  console.log('on this file, so these figures say how well they fit it, not how they carry over.');
  console.log('Event recall counts a labelled run as detected when an alarm row lies inside it (strict);');
  console.log('"lenient" also counts an alarm within 10 min after the run ends. FA = alarm episodes touching no event row.');
  console.log('');
  console.log(HEADER);
  for (const [name, ev] of [
    ['sudden-change', ours],
    ['naive, |z| > 3.5', naive],
  ] as const) {
    console.log(line(`${name}`, ev.metrics));
    for (const r of ranges) console.log(line(`  ${r.name}`, ev.ranges[r.name] as EvalMetrics));
  }
  // The naive detector with cut-offs picked in hindsight (not a deployable setting: chosen by looking at these labels).
  console.log(`${'naive, hindsight z'.padEnd(22)} (same naive detector, higher cut-off than the textbook 3.5; whole file)`);
  for (const z of NAIVE_HINDSIGHT_Z) {
    const ev = evaluateStream(rows, labels, () => new NaiveDetector(signals, { zThreshold: z }));
    console.log(line(`  |z| > ${z}`, ev.metrics));
  }
  console.log('');
  const p = pooled(outOfSample);
  console.log(
    `sudden-change vs issue 13's targets, OUT OF SAMPLE (pooled score stretches):\n  ${verdict({ ...p, eventRecall: p.events > 0 ? p.eventsDetected / p.events : Number.NaN })}`,
  );
  console.log(`(in sample, whole file, for comparison only:\n  ${verdict(ours.metrics)})`);
  console.log(
    `missed runs (index in file order): sudden-change [${ours.metrics.missedEvents.join(', ')}], naive [${naive.metrics.missedEvents.join(', ')}]`,
  );
  if (args.sensitivity) printSensitivity(rows, labels, signals, args.set, ranges);
  if (args.details)
    printDetails(
      rows.map((r) => r.ts),
      labels,
      ours.alarms,
    );
  console.log(
    `replay time: sudden-change ${num(ours.replayMs, 0)} ms (${num(rows.length / (ours.replayMs / 1000), 0)} rows/s), naive ${num(naive.replayMs, 0)} ms`,
  );
  if (args.river) printRiverReport(riverFigures(args));
  if (args.replayMqtt) {
    const { printEndToEnd } = await import('./gecco-e2e.js');
    printEndToEnd(await endToEnd());
  }
}

/** `--feedback <file>`: the labels of a deployment's agencies, scored per kind, detector, parameter, section and month. */
function scoreFeedbackFile(file: string, json: boolean): void {
  const parsed = parseFeedbackExport(readFileSync(file, 'utf8'));
  const score = scoreFeedback(parsed.records);
  if (json) {
    console.log(JSON.stringify({ feedback: { file, format: parsed.format, problems: parsed.problems, ...score } }, null, 2));
  } else {
    for (const l of formatFeedbackScore(score, `${file} (${parsed.format})`)) console.log(l);
    if (parsed.problems.length > 0) {
      console.log(`\n${parsed.problems.length} row(s) not read:`);
      for (const p of parsed.problems.slice(0, 20)) console.log(`  ${p}`);
    }
  }
  if (parsed.records.length === 0) process.exitCode = 1;
}

/** One option at a time, around the defaults: how sharp is the optimum? */
const VARIATIONS: Partial<SuddenChangeOptions>[] = [
  { outlierThreshold: 1.25 },
  { outlierThreshold: 2 },
  { outlierThreshold: 3 },
  { strongOutlierThreshold: 3 },
  { strongOutlierThreshold: 8 },
  { minParameters: 1 },
  { minParameters: 3 },
  { scaleQuantile: 0.98 },
  { scaleQuantile: 0.995 },
  { baselineWindowMs: 15 * 60_000 },
  { baselineWindowMs: 60 * 60_000 },
  { eventTimeoutMs: 15 * 60_000 },
  { eventTimeoutMs: 60 * 60_000 },
  { envelopeMargin: 1 },
  { envelopeMargin: 4 },
  { clearMinSamples: 1 },
  { clearMinSamples: 3 },
  { outlierProbability: 0.2 },
  { contextExplains: true },
];

function printSensitivity(
  rows: StreamRow[],
  labels: boolean[],
  signals: SignalSpec[],
  base: Partial<SuddenChangeOptions>,
  ranges: EvalRange[],
): void {
  console.log(
    '\nsensitivity (one option changed from the run above; F1 / events / FA per day, whole file | first half | second half):',
  );
  for (const v of VARIATIONS) {
    const ev = evaluateStream(rows, labels, () => new SuddenChangeDetector(signals, { ...base, ...v }), { ranges });
    const cell = (m: EvalMetrics): string =>
      `${pct(m.f1)} ${`${m.eventsDetected}/${m.events}`.padStart(5)} ${num(m.falseAlarmEpisodesPerDay, 2)}`;
    const name = Object.entries(v)
      .map(([k, x]) => `${k}=${String(x)}`)
      .join(', ');
    console.log(
      `  ${name.padEnd(30)} ${cell(ev.metrics)} | ${cell(ev.ranges[ranges[0]?.name ?? ''] as EvalMetrics)} | ${cell(ev.ranges[ranges[1]?.name ?? ''] as EvalMetrics)}`,
    );
  }
}

function printDetails(ts: number[], labels: boolean[], alarms: boolean[]): void {
  const iso = (i: number): string => new Date(ts[i] ?? 0).toISOString().slice(5, 16).replace('T', ' ');
  console.log('\nlabelled runs (sudden-change): start UTC, alarmed/length rows, delay, alarm rows just before / after the run');
  runsOf(labels).forEach((run, k) => {
    let inside = 0;
    let first = -1;
    for (let i = run.first; i <= run.last; i++) {
      if (!alarms[i]) continue;
      inside++;
      if (first < 0) first = i;
    }
    let pre = 0;
    for (let i = run.first - 1; i >= 0 && alarms[i]; i--) pre++;
    let post = 0;
    for (let i = run.last + 1; i < alarms.length && alarms[i] && !labels[i]; i++) post++;
    const delay = first < 0 ? 'missed' : `${((ts[first] as number) - (ts[run.first] as number)) / 60_000} min`;
    console.log(
      `  #${String(k).padStart(2)} ${iso(run.first)} ${inside}/${run.last - run.first + 1} ${delay}${pre ? ` pre ${pre}` : ''}${post ? ` post ${post}` : ''}`,
    );
  });
  console.log('false-alarm episodes (sudden-change): start UTC, rows');
  for (const ep of runsOf(alarms)) {
    let overlaps = false;
    for (let i = ep.first; i <= ep.last && !overlaps; i++) overlaps = labels[i] === true;
    if (!overlaps) console.log(`  ${iso(ep.first)} ${ep.last - ep.first + 1}`);
  }
}

function summary(ev: StreamEvaluation): Record<string, EvalMetrics | number> {
  return { all: ev.metrics, ...ev.ranges, replayMs: ev.replayMs };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

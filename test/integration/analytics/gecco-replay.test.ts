/**
 * The GECCO replay end to end (eval/replay-mqtt.ts) on a slice of
 * the file with eight labelled events: the running pipeline over real
 * Mosquitto, Redis and InfluxDB must raise and clear exactly the
 * sudden-change episodes the same rows give through ingest validation and a
 * SectionAnalyzer in memory. The full file is `npm run eval -- --replay-mqtt`.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadEvalStation } from '../../../eval/eval-config.js';
import { loadGeccoCsv } from '../../../eval/gecco.js';
import { identicalSpans } from '../../../eval/gecco-e2e.js';
import { replayThroughAnalyzer, scoreEpisodes } from '../../../eval/gecco-pipeline.js';
import { runsOf } from '../../../eval/metrics.js';
import { replayOverMqtt } from '../../../eval/replay-mqtt.js';
import { CANONICAL_PARAMETERS } from '../../../domain/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const REGISTRY = resolve(ROOT, 'config/eval/gecco-registry.yaml');
const PARAMETERS = resolve(ROOT, 'config/eval/gecco-parameters.yaml');
const DATA = resolve(ROOT, '../shared/data/gecco2018/water_quality_aug_sep_2016.csv');
/** Rows 14000–20000: about four days around the first eight labelled runs of the file. */
const FROM = 14_000;
const TO = 20_000;

describe('GECCO replay over MQTT through the running pipeline', () => {
  it('raises and clears the same sudden-change episodes as the in-memory analyzer', async () => {
    const cfg = loadEvalStation(REGISTRY, PARAMETERS, 'GECCO-01');
    const all = loadGeccoCsv(DATA, cfg.signals);
    const rows = all.rows.slice(FROM, TO);
    const labels = all.labels.slice(FROM, TO);
    expect(runsOf(labels).length).toBe(8);
    const canonicalBefore = CANONICAL_PARAMETERS.length;

    const replay = await replayOverMqtt({
      cfg,
      rows,
      registryPath: REGISTRY,
      parametersPath: PARAMETERS,
      watermarkDelayMs: 2_000,
      timeoutMs: 90_000,
      progress: () => undefined,
    });

    expect(replay.timedOut).toBe(false);
    expect(replay.analytics.readings).toBe(replay.published.readings);
    expect(replay.analytics.late).toBe(0);
    expect(replay.analytics.stale).toBe(0);
    // The stop-gap parameter extension is undone after the run.
    expect(CANONICAL_PARAMETERS.length).toBe(canonicalBefore);

    const inMemory = scoreEpisodes(replayThroughAnalyzer(cfg, rows).events, rows, labels);
    const endToEnd = scoreEpisodes(replay.events, rows, labels, replay.shiftMs);
    expect(inMemory.episodes.length).toBeGreaterThan(0);
    const unshifted = endToEnd.episodes.map((e) => ({
      openTs: e.openTs - replay.shiftMs,
      closeTs: e.closeTs === undefined ? undefined : e.closeTs - replay.shiftMs,
    }));
    expect(endToEnd.episodes.length).toBe(inMemory.episodes.length);
    expect(identicalSpans(unshifted, inMemory.episodes)).toBe(inMemory.episodes.length);
    expect(endToEnd.metrics).toEqual(inMemory.metrics);
    expect(replay.storedAlerts['sudden-change']).toBeGreaterThan(0);
  });
});

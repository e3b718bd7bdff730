/**
 * Prints the simulated river scenario figures (the section of `npm run eval`
 * after GECCO). Times are local (+08:00, the stations' clock) as MM-DD HH:MM.
 */
import type { EpisodeLine, ScenarioFigures } from './river-summary.js';
import type { StationEventSummary } from './river-scoring.js';

type Out = (line: string) => void;

const TZ_MS = 8 * 3_600_000;
const local = (ms: number | undefined): string =>
  ms === undefined || !Number.isFinite(ms) ? '–' : new Date(ms + TZ_MS).toISOString().slice(5, 16).replace('T', ' ');
const mins = (ms: number | undefined): string =>
  ms === undefined || !Number.isFinite(ms) ? '–' : `${Math.round(ms / 60_000)} min`;
const hours = (ms: number | undefined): string =>
  ms === undefined || !Number.isFinite(ms) ? '–' : `${(ms / 3_600_000).toFixed(1)} h`;

/** Verdicts on the issue's two simulated targets, over every scenario. */
export function riverTargets(figs: readonly ScenarioFigures[]): {
  spillsPastTarget: number;
  spillsInTime: number;
  spillsWaterPast: number;
  spillsWaterInTime: number;
  faultCaused: number;
  faultPreWarnings: number;
} {
  const spills = figs.flatMap((f) => f.spills);
  const past = spills.filter((s) => s.metTarget !== undefined);
  const water = spills.filter((s) => s.metStrict !== undefined);
  return {
    spillsPastTarget: past.length,
    spillsInTime: past.filter((s) => s.metTarget).length,
    spillsWaterPast: water.length,
    spillsWaterInTime: water.filter((s) => s.metStrict).length,
    faultCaused: figs.reduce((n, f) => n + f.faultOnly.length, 0),
    faultPreWarnings: figs.reduce((n, f) => n + (f.preWarningCauses['fault-only'] ?? 0), 0),
  };
}

export function printRiverReport(figs: readonly ScenarioFigures[], out: Out = console.log): void {
  out('');
  out('Simulated river scenarios: sample registry (config/registry.yaml), simulator engine → ingest validation →');
  out('per-section reorder buffer → SectionAnalyzer with default options, ticks every simulated minute.');
  out('Pollution episodes = early-warning / exceedance / sudden-change / trend alerts (one per key from raise to clear),');
  out('put down to the labels whose station (section, for water events) and window + 2 h contain their opening.');
  out('');
  out(
    `${'scenario'.padEnd(22)} ${'seed'.padStart(9)} ${'days'.padStart(5)} ${'stns'.padStart(4)} ${'readings'.padStart(8)} ${'stale'.padStart(5)} ${'wall s'.padStart(6)}  pollution episodes: ${'event'.padStart(5)} ${'rain'.padStart(4)} ${'fault'.padStart(5)} ${'none'.padStart(4)}  ${'DQ'.padStart(3)} ${'pre-w'.padStart(5)} ${'runoff'.padStart(6)} ${'tasks'.padStart(5)}`,
  );
  for (const f of figs) {
    out(
      `${f.name.padEnd(22)} ${String(f.seed).padStart(9)} ${f.days.toFixed(0).padStart(5)} ${String(f.stations).padStart(4)} ${String(f.readings).padStart(8)} ${String(f.stale).padStart(5)} ${(f.wallMs / 1000).toFixed(1).padStart(6)}  ${''.padStart(19)} ${String(f.episodes.pollution).padStart(5)} ${String(f.episodes.natural).padStart(4)} ${String(f.episodes['fault-only']).padStart(5)} ${String(f.episodes.none).padStart(4)}  ${String(f.dataQualityEpisodes).padStart(3)} ${String(f.preWarningEpisodes).padStart(5)} ${String(f.runoffEpisodes).padStart(6)} ${String(f.jointTasks).padStart(5)}`,
    );
  }
  out('runoff = blue rain-runoff notices (not pollution); tasks = joint on-site tasks the default task rules would open');
  out('(alerts/joint-monitoring/task-rules.ts: yellow and above at boundary sections, pre-warnings of yellow-or-worse origins; one per section incident).');

  const withSpills = figs.filter((f) => f.spills.length > 0);
  out('');
  out('Spills, per station reached. "water past" = first minute the modelled water (no instrument noise) is worse than the');
  out('section\'s target class in a class parameter; "read past" = first reading that is. met = detected by the next reading');
  out('after "read past"; strict = detected within one sampling interval of that parameter after "water past".');
  out(`  ${SPILL_HEADER}`);
  for (const f of withSpills) for (const s of f.spills) out(`  ${spillLine(`${f.name} ${s.eventId}`, s)}`);
  for (const f of withSpills) {
    const c = f.spillLabels;
    out(
      `  ${f.name}: labels (station × parameter) detected ${c.detected}/${c.labels}; read past target ${c.pastTarget}, detected by the next reading ${c.pastTargetInTime}/${c.pastTarget}; water past target ${c.waterPast}, detected within one interval ${c.waterPastInTime}/${c.waterPast} (never read past: ${c.waterPastNeverRead}); river TN labels marked exceedsTarget ${c.tnRiverExceedsLabels} (TN is not a river class parameter)`,
    );
  }

  out('');
  out('Downstream pre-warnings (upstream-arrival) against the labelled arrival (window start: plume above ~4 % of its peak):');
  out(
    `  ${'scenario'.padEnd(14)} ${'section'.padEnd(12)} ${'warned'.padEnd(11)} ${'from'.padEnd(12)} ${'arrival'.padEnd(11)} ${'lead'.padStart(7)} ${'water past'.padEnd(11)} ${'window (peak) of last warning before arrival, origin'.padEnd(52)} ${'labelled peak'.padEnd(13)} in window`,
  );
  for (const f of withSpills)
    for (const p of f.preWarnings) {
      const inWindow =
        p.predicted && p.peakMs !== undefined
          ? p.peakMs >= p.predicted.fromTs && p.peakMs <= p.predicted.toTs
            ? 'yes'
            : 'no'
          : '–';
      out(
        `  ${f.name.padEnd(14)} ${p.sectionId.padEnd(12)} ${local(p.warnedTs).padEnd(11)} ${(p.originSectionId ?? '–').padEnd(12)} ${local(p.arrivalMs).padEnd(11)} ${hours(p.warnedTs === undefined ? undefined : p.arrivalMs - p.warnedTs).padStart(7)} ${local(p.waterPastMs).padEnd(11)} ${(p.predicted ? `${local(p.predicted.fromTs)} – ${local(p.predicted.toTs)} (${local(p.predicted.peakTs).slice(6)}) ${p.predicted.originSectionId}` : '–').padEnd(52)} ${local(p.peakMs).padEnd(13)} ${inWindow}`,
      );
    }

  const withTrends = figs.filter((f) => f.trends.length > 0);
  out('');
  out('Slow deteriorations (trend labels), per station: delay = first pollution alert naming the parameter − past target');
  out('(negative: warned before the station read past its target).');
  out(`  ${SPILL_HEADER}`);
  for (const f of withTrends) for (const s of f.trends) out(`  ${spillLine(`${f.name} ${s.eventId}`, s)}`);

  const withRain = figs.filter((f) => f.rain.length > 0);
  out('');
  out('Rain (natural, not pollution; labels on turb/tp/cond/codmn): station-rain events with a pollution alert naming');
  out('one of those parameters inside the window (start to 36 h after the rain):');
  for (const f of withRain) {
    const seen = f.rain.filter((r) => r.detectedTs !== undefined);
    const delays = seen.map((r) => ((r.detectedTs as number) - r.windowStartMs) / 3_600_000).sort((a, b) => a - b);
    const kinds = new Map<string, number>();
    for (const r of seen) {
      const k = (r.detectedBy ?? '').split(' ')[0] as string;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    out(
      `  ${f.name.padEnd(16)} ${seen.length}/${f.rain.length} station-rain events; median delay from rain start ${delays.length ? `${(delays[delays.length >> 1] as number).toFixed(1)} h` : '–'}; by ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ') || '–'}`,
    );
  }

  out('');
  out(
    'Sensor and link faults: data-quality alerts answering each fault, and pollution episodes opened only where a fault is labelled:',
  );
  for (const f of figs.filter((x) => x.faults.length > 0)) {
    for (const x of f.faults)
      out(
        `  ${f.name} ${x.eventId.padEnd(18)} ${x.kind.padEnd(9)} ${x.stationId.padEnd(11)} DQ: ${x.dqKeys.join(', ') || 'none'}`,
      );
  }
  for (const f of figs)
    for (const e of f.faultOnly) out(`  FAULT → POLLUTION ALERT ${f.name}: ${episodeText(e)} [${e.eventIds.join(', ')}]`);
  for (const f of figs) {
    const n = f.preWarningCauses['fault-only'] ?? 0;
    if (n > 0) out(`  FAULT → ${n} downstream pre-warnings (upstream-arrival) in ${f.name}, triggered by the alerts above`);
  }
  out('');
  out('Pre-warning episodes by what triggered them upstream (event / rain / fault / nothing labelled / not matched):');
  for (const f of figs.filter((x) => x.preWarningEpisodes > 0)) {
    const c = f.preWarningCauses;
    out(
      `  ${f.name.padEnd(22)} ${String(f.preWarningEpisodes).padStart(3)}: ${c.pollution ?? 0} / ${c.natural ?? 0} / ${c['fault-only'] ?? 0} / ${c.none ?? 0} / ${c.unmatched ?? 0}`,
    );
  }

  out('');
  out('False pollution episodes (opened outside every label), per station-month and per section-month (30 days):');
  for (const f of figs.filter((x) => x.stationMonths > 0)) {
    const blue = f.unexplained.filter((e) => e.maxLevel === 'blue').length;
    const higher = f.unexplained.length - blue;
    out(
      `  ${f.name.padEnd(22)} ${f.stationMonths.toFixed(2).padStart(6)} station-months: ${String(f.unexplained.length).padStart(2)} (${(f.unexplained.length / f.stationMonths).toFixed(2)}/station-month, ${(f.unexplained.length / f.sectionMonths).toFixed(2)}/section-month); yellow or above ${higher}; ${describe(f.unexplained)}`,
    );
  }
  const calm = figs.filter((f) => f.name.startsWith('calm'));
  if (calm.length > 0) {
    const sm = calm.reduce((n, f) => n + f.stationMonths, 0);
    const secm = calm.reduce((n, f) => n + f.sectionMonths, 0);
    const all = calm.reduce((n, f) => n + f.unexplained.length, 0);
    const hi = calm.reduce((n, f) => n + f.unexplained.filter((e) => e.maxLevel !== 'blue').length, 0);
    const rain = calm.reduce((n, f) => n + f.natural.length, 0);
    out(
      `  calm runs together (${calm.map((f) => f.name).join(', ')}): ${sm.toFixed(1)} station-months (${secm.toFixed(1)} section-months), ${all} false episodes = ${(all / sm).toFixed(2)}/station-month (${(all / secm).toFixed(2)}/section-month), ${hi} at yellow or above; ${rain} more opened during labelled rain (${calm.map((f) => describe(f.natural)).join('; ')})`,
    );
  }
  const t = riverTargets(figs);
  out('');
  out('simulated scenarios vs targets:');
  out(
    `  spills past the target class detected by the next reading after the first reading past it: ${t.spillsInTime}/${t.spillsPastTarget} (station × spill): ${t.spillsInTime === t.spillsPastTarget ? 'met' : 'NOT met'}`,
  );
  out(
    `  strict: detected within one sampling interval after the water went past the target: ${t.spillsWaterInTime}/${t.spillsWaterPast}: ${t.spillsWaterInTime === t.spillsWaterPast ? 'met' : 'NOT met'}`,
  );
  out(
    `  pollution episodes caused only by sensor faults: ${t.faultCaused} (target 0), plus ${t.faultPreWarnings} downstream pre-warnings they triggered: ${t.faultCaused === 0 ? 'met' : 'NOT met'}`,
  );
}

const SPILL_HEADER = `${'scenario / event'.padEnd(36)} ${'station'.padEnd(9)} ${'window'.padEnd(11)} ${'water past'.padEnd(18)} ${'read past'.padEnd(18)} ${'detected'.padEnd(11)} ${'by'.padEnd(36)} ${'delay'.padStart(9)} met strict params`;

function spillLine(name: string, s: StationEventSummary): string {
  const water = s.waterPast ? `${local(s.waterPast.ts)} ${s.waterPast.parameter}` : '–';
  const past = s.firstPast ? `${local(s.firstPast.ts)} ${s.firstPast.parameter}` : s.waterPast ? 'never read' : '–';
  const delay = s.firstPast && s.detectedTs !== undefined ? mins(s.detectedTs - s.firstPast.ts) : '–';
  const yn = (b: boolean | undefined): string => (b === undefined ? '–' : b ? 'yes' : 'NO');
  return `${name.padEnd(36)} ${s.stationId.padEnd(9)} ${local(s.windowStartMs).padEnd(11)} ${water.padEnd(18)} ${past.padEnd(18)} ${local(s.detectedTs).padEnd(11)} ${(s.detectedBy ?? 'missed').padEnd(36)} ${delay.padStart(9)} ${yn(s.metTarget).padEnd(3)} ${yn(s.metStrict).padEnd(6)} ${s.detectedLabels}/${s.labels}`;
}

function episodeText(e: {
  key: string;
  openTs: number;
  closeTs: number | undefined;
  kinds: string;
  maxLevel: string;
  evidence: string;
}): string {
  return `${e.key} ${local(e.openTs)}–${local(e.closeTs)} ${e.kinds} ${e.maxLevel} ${e.evidence}`;
}

/** `early-warning codmn ×6 (4.8–4.9 vs limit 6)` per kind and parameter. */
function describe(lines: readonly EpisodeLine[]): string {
  const groups = new Map<string, EpisodeLine[]>();
  for (const e of lines) {
    const k = `${e.kinds}/${e.maxLevel} ${e.parameters}`;
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  return (
    [...groups]
      .map(([k, es]) => {
        const vs = es.map((e) => e.value).filter((v): v is number => v !== undefined);
        const limit = es.find((e) => e.limit !== undefined)?.limit;
        const range =
          vs.length > 0 ? ` (${Math.min(...vs)}–${Math.max(...vs)}${limit === undefined ? '' : ` vs limit ${limit}`})` : '';
        return `${k} ×${es.length}${range}`;
      })
      .join(', ') || 'none'
  );
}

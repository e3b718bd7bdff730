// Per-station charts (uPlot) of the last 24 h (raw readings) or 7 days (hourly means), one small chart per parameter,
// with the limit of the section's target class drawn as a dashed line.
import uPlot from '/vendor/uPlot.esm.js';
import { parameterSeries } from './chart-series.js';
import { h, mount } from './dom.js';
import { failureText, formatAxis, formatTime, nameOf, t } from './i18n.js';

const HOUR_MS = 3600000;
/** Class parameters first, in the order monitoring centres read them. */
const ORDER = ['do', 'codmn', 'nh3n', 'tp', 'tn', 'ph', 'temp', 'cond', 'turb'];

function rank(p) {
  const i = ORDER.indexOf(p);
  return i < 0 ? ORDER.length : i;
}

function limitLines(limit) {
  if (!limit) return [];
  return limit.kind === 'range' ? [limit.min, limit.max] : [limit.value];
}

export class StationPanel {
  #charts = [];
  #request = 0;

  constructor({ chartsEl, metaEl, api }) {
    this.chartsEl = chartsEl;
    this.metaEl = metaEl;
    this.api = api;
    this.resizeTimer = undefined;
    window.addEventListener('resize', () => {
      clearTimeout(this.resizeTimer);
      this.resizeTimer = setTimeout(() => this.#resize(), 150);
    });
  }

  destroy() {
    for (const chart of this.#charts) chart.destroy();
    this.#charts = [];
  }

  #resize() {
    for (const chart of this.#charts) chart.setSize({ width: chart.root.parentElement?.clientWidth || 320, height: 170 });
  }

  /** Loads and draws; a newer call supersedes an older one still loading. */
  async show(state, stationId, range) {
    const request = ++this.#request;
    const station = state.stations.get(stationId);
    if (!station) {
      this.destroy();
      mount(this.chartsEl);
      this.metaEl.textContent = '';
      return;
    }
    const section = state.sections.get(station.sectionId);
    const now = Date.now();
    const query =
      range === '7d' ? `from=${now - 7 * 24 * HOUR_MS}&to=${now}&interval=1h` : `from=${now - 24 * HOUR_MS}&to=${now}`;
    let history;
    try {
      history = await this.api.get(`/api/v1/stations/${encodeURIComponent(stationId)}/readings?${query}`);
    } catch (err) {
      if (request !== this.#request) return;
      this.destroy();
      mount(this.chartsEl, h('p', { class: 'error' }, failureText(err)));
      return;
    }
    if (request !== this.#request) return;
    this.destroy();
    const latest = history.times.length > 0 ? history.times[history.times.length - 1] : undefined;
    this.metaEl.textContent = [
      nameOf(station.name),
      section ? `${t('section')}: ${nameOf(section.name)}` : '',
      section ? `${t('target')} ${t('classes')[section.targetClass]}` : '',
      range === '7d' ? t('hourlyMeans') : t('rawPoints'),
      latest ? `${t('updated')} ${formatTime(latest)}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    if (history.times.length === 0) {
      mount(this.chartsEl, h('p', { class: 'empty' }, t('noReadings')));
      return;
    }
    // Parameters without a single value in the period get no empty chart.
    const parameters = history.parameters
      .filter((p) => (history.values[p] ?? []).some((v) => v !== null))
      .sort((a, b) => rank(a) - rank(b));
    if (parameters.length === 0) {
      mount(this.chartsEl, h('p', { class: 'empty' }, t('noReadings')));
      return;
    }
    const windowS = [(now - (range === '7d' ? 7 : 1) * 24 * HOUR_MS) / 1000, now / 1000];
    const boxes = parameters.map((p) => {
      const spec = state.parameters.get(p);
      const title = spec ? `${nameOf({ zh: spec.nameZh, en: spec.nameEn })}${spec.unit ? ` (${spec.unit})` : ''}` : p;
      const limit = history.targetLimits[p];
      return h(
        'figure',
        { class: 'chart', 'data-parameter': p },
        h(
          'figcaption',
          {},
          title,
          limit ? h('span', { class: 'limit-note' }, ` — ${t('limit')} ${limitLines(limit).join('–')}`) : '',
        ),
      );
    });
    // Mount first so each chart takes the width its grid cell got.
    mount(this.chartsEl, boxes);
    parameters.forEach((p, i) => {
      const box = boxes[i];
      const lines = limitLines(history.targetLimits[p]);
      // Each parameter on its own timestamps: a 4-hourly analyser is not hidden among 5-minute probes (chart-series.js).
      const own = parameterSeries(history.times, history.values[p] ?? []);
      box.dataset.points = String(own.count);
      const data = [own.xs, own.ys, ...lines.map((v) => own.xs.map(() => v))];
      const series = [
        {},
        { label: p, stroke: '#1f5fa8', width: 1.5, spanGaps: false, points: { show: own.showDots, size: 5, fill: '#1f5fa8' } },
        ...lines.map(() => ({ label: t('limit'), stroke: '#d7263d', width: 1, dash: [6, 4], points: { show: false } })),
      ];
      const opts = {
        width: box.clientWidth || 320,
        height: 170,
        series,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        // Every chart spans the whole window, so the charts of one station line up in time.
        scales: { x: { time: true, range: () => windowS } },
        // 24-hour clock for the last day, dates for the week (uPlot's default is a 12-hour clock), in the section's time.
        axes: [{ values: (u, splits) => splits.map((sec) => formatAxis(sec * 1000, range === '7d')) }, { size: 48 }],
      };
      this.#charts.push(new uPlot(opts, data, box));
    });
  }
}

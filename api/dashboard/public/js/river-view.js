// Each river as a schematic line from upstream (left) to downstream (right); sections as markers coloured by their
// current class (I–II blue, III green, IV yellow, V orange, worse than V red); dashed lines where the jurisdiction
// changes, with the agencies on either side; a pulsing ring where an alert is active.
import { h, mount, s } from './dom.js';
import { formatTime, nameOf, t } from './i18n.js';

const WIDTH = 1000;
const ROW = 160;
const LEFT = 70;
const RIGHT = 70;
const LINE_Y = 86;
const LEVEL_RANK = { blue: 1, yellow: 2, orange: 3, red: 4 };
const SHORT_CLASS = { 1: 'I', 2: 'II', 3: 'III', 4: 'IV', 5: 'V', 6: '劣V' };

/** A short agency label for the drawing (the full name is in the tooltip). */
function shortAgency(agency, lang) {
  if (!agency) return '';
  if (lang === 'en') return agency.name.en.split(/[ ,(]/)[0];
  return agency.name.zh.replace(/生态环境(局|厅)|分局|监督管理局/g, '').replace(/(市|区|州)(?=.)/g, '') || agency.name.zh;
}

/** Splits "汾湖（苏浙交界）" / "Fenhu (Jiangsu–Zhejiang boundary)" into a name and a second line. */
function twoLines(text) {
  const m = /^(.*?)\s*[（(](.*)[）)]$/.exec(text);
  return m ? [m[1], m[2]] : [text, ''];
}

function classKey(status) {
  return status?.current ? `cls-${status.current.class}` : 'cls-none';
}

export function renderClassLegend(el) {
  mount(
    el,
    [1, 3, 4, 5, 6].map((c) =>
      h(
        'li',
        {},
        h('span', { class: ['swatch', `cls-${c}`] }),
        c === 1 ? `${t('classes')[1]}–${t('classes')[2]}` : t('classes')[c],
      ),
    ),
    h('li', {}, h('span', { class: ['swatch', 'cls-none'] }), t('noData')),
    h('li', {}, h('span', { class: 'swatch-boundary' }), t('boundary')),
  );
}

/**
 * @param el container
 * @param state { rivers, sections: Map, agencies: Map, status: Map, alerts: Map, nowMs, staleMs }
 * @param onSelect (sectionId) => void
 */
export function renderRivers(el, state, lang, onSelect) {
  const worstAlert = new Map();
  for (const alert of state.alerts.values()) {
    if (alert.status === 'resolved') continue;
    const rank = LEVEL_RANK[alert.level] ?? 0;
    const prev = worstAlert.get(alert.sectionId);
    if (!prev || rank > prev.rank) worstAlert.set(alert.sectionId, { rank, level: alert.level ?? 'none' });
  }
  const height = state.rivers.length * ROW;
  const svg = s('svg', {
    viewBox: `0 0 ${WIDTH} ${Math.max(height, ROW)}`,
    class: 'rivers-svg',
    role: 'img',
    'aria-label': t('rivers'),
  });
  const defs = s(
    'defs',
    {},
    s(
      'marker',
      { id: 'flow-arrow', viewBox: '0 0 10 10', refX: '8', refY: '5', markerWidth: '5', markerHeight: '5', orient: 'auto' },
      s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'flow-arrow' }),
    ),
  );
  svg.append(defs);

  state.rivers.forEach((river, row) => {
    const top = row * ROW;
    const sections = river.sectionIds.map((id) => state.sections.get(id)).filter(Boolean);
    const g = s('g', { transform: `translate(0 ${top})`, class: 'river', 'data-river-id': river.id });
    const step = (WIDTH - LEFT - RIGHT) / Math.max(sections.length, 1);
    const xOf = (i) => LEFT + step * (i + 0.5);
    g.append(
      s('text', { x: 12, y: 22, class: 'river-name' }, nameOf(river.name)),
      s('line', {
        x1: LEFT - 40,
        y1: LINE_Y,
        x2: WIDTH - RIGHT + 40,
        y2: LINE_Y,
        class: 'river-line',
        'marker-end': 'url(#flow-arrow)',
      }),
      s('text', { x: LEFT - 40, y: LINE_Y + 24, class: 'flow-label' }, t('upstream')),
      s('text', { x: WIDTH - RIGHT + 40, y: LINE_Y + 24, class: 'flow-label', 'text-anchor': 'end' }, t('downstream')),
    );

    const boundaryAt = (x, upId, downId, sectionTitle) => {
      const up = state.agencies.get(upId);
      const down = state.agencies.get(downId);
      g.append(
        s('line', { x1: x, y1: 30, x2: x, y2: LINE_Y + 22, class: 'boundary-line' }),
        s(
          'text',
          { x: x - 5, y: 40, class: 'agency-label', 'text-anchor': 'end' },
          s('title', {}, up ? nameOf(up.name) : upId),
          shortAgency(up, lang),
        ),
        s(
          'text',
          { x: x + 5, y: 40, class: 'agency-label' },
          s('title', {}, down ? nameOf(down.name) : downId),
          shortAgency(down, lang),
        ),
        s('text', { x, y: 27, class: 'boundary-tag', 'text-anchor': 'middle' }, sectionTitle ?? t('boundary')),
      );
    };

    sections.forEach((section, i) => {
      const x = xOf(i);
      const next = sections[i + 1];
      if (section.boundary) boundaryAt(x, section.upstreamAgency.id, section.downstreamAgency.id);
      // Jurisdiction changes between two sections without a boundary section at the change.
      if (next && !next.boundary && !section.boundary && section.downstreamAgency.id !== next.upstreamAgency.id) {
        boundaryAt(x + step / 2, section.downstreamAgency.id, next.upstreamAgency.id);
      }
    });

    sections.forEach((section, i) => {
      const x = xOf(i);
      const status = state.status.get(section.id);
      const current = status?.current;
      const stale = current && state.nowMs - current.at > state.staleMs;
      const alert = worstAlert.get(section.id);
      const [line1, line2] = twoLines(nameOf(section.name));
      const tip = [
        nameOf(section.name),
        current
          ? `${t('classes')[current.class]}${current.deciding.length ? ` (${current.deciding.join(', ')})` : ''} · ${t('updated')} ${formatTime(current.at)}${stale ? ` · ${t('stale')}` : ''}`
          : t('noData'),
        `${t('target')} ${t('classes')[section.targetClass]}`,
        section.boundary
          ? `${nameOf(section.upstreamAgency.name)} → ${nameOf(section.downstreamAgency.name)}`
          : nameOf(section.downstreamAgency.name),
      ].join('\n');
      const marker = s(
        'g',
        {
          class: ['section', classKey(status), stale && 'stale', current && !current.meetsTarget && 'over-target'],
          tabindex: '0',
          role: 'button',
          'data-section-id': section.id,
          'aria-label': tip.replace(/\n/g, '; '),
          onclick: () => onSelect(section.id),
          onkeydown: (e) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              onSelect(section.id);
            }
          },
        },
        s('title', {}, tip),
        alert && s('circle', { cx: x, cy: LINE_Y, r: 24, class: ['alert-ring', `level-${alert.level}`] }),
        s('circle', { cx: x, cy: LINE_Y, r: 17, class: 'marker' }),
        s(
          'text',
          { x, y: LINE_Y + 4, class: 'marker-label', 'text-anchor': 'middle' },
          current ? SHORT_CLASS[current.class] : '–',
        ),
        s('text', { x, y: LINE_Y + 36, class: 'section-name', 'text-anchor': 'middle' }, line1),
        line2 && s('text', { x, y: LINE_Y + 50, class: 'section-sub', 'text-anchor': 'middle' }, line2),
        s(
          'text',
          { x, y: LINE_Y + (line2 ? 64 : 50), class: 'section-sub', 'text-anchor': 'middle' },
          `${section.positionKm} km · ${t('target')} ${SHORT_CLASS[section.targetClass]}`,
        ),
      );
      g.append(marker);
    });
    svg.append(g);
  });
  mount(el, svg);
}

// Silences and maintenance windows on the desk (issue 15 §1): the form to silence a section or station (optionally
// one parameter or one kind of alert) from a start to an end with a reason, in the sections' local time, and the list
// of silences not yet over with who made them, why, what they hold back, and an "end" button.
import { h, mount } from './dom.js';
import { currentLang, formatTime, nameOf, t, TIME_ZONE } from './i18n.js';

const KINDS = ['early-warning', 'exceedance', 'sudden-change', 'trend', 'upstream-arrival', 'data-quality'];

/** `YYYY-MM-DDTHH:MM` of an instant in the sections' time zone (for datetime-local inputs). */
export function localInputValue(ms) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** A datetime-local value read as the sections' time (China Standard Time, UTC+8), whatever the browser's zone. */
export function parseLocalInput(value) {
  return value ? Date.parse(`${value}:00+08:00`) : Number.NaN;
}

function matcherText(matcher, state) {
  const parts = [];
  const section = state.sections.get(matcher.sectionId ?? state.stations.get(matcher.stationId)?.sectionId);
  if (section) parts.push(nameOf(section.name));
  if (matcher.stationId) {
    const st = state.stations.get(matcher.stationId);
    parts.push(st ? nameOf(st.name) : matcher.stationId);
  }
  if (matcher.parameter) {
    const p = state.parameters.get(matcher.parameter);
    parts.push(p ? nameOf({ zh: p.nameZh, en: p.nameEn }) : matcher.parameter);
  }
  if (matcher.kind) parts.push(t('kinds')[matcher.kind] ?? matcher.kind);
  return parts.join(' · ');
}

function weeklyText(r) {
  const days = t('weekdays');
  return `${t('weekly')} ${r.weekdays.map((d) => days[d - 1]).join(currentLang() === 'zh' ? '、' : ', ')} ${r.start}–${r.end}`;
}

/** Who did what to a silence, in one line per audit entry. */
function auditLines(silence, state) {
  return silence.history.map((e) => {
    const agency = state.agencies.get(e.actor.agencyId);
    const who = `${agency ? nameOf(agency.name) : (e.actor.agencyId ?? '')}${e.actor.name ? `（${e.actor.name}）` : ''}`;
    return `${formatTime(e.at)} ${t(`silence-${e.action}`)} · ${who}`;
  });
}

function sectionOptions(state) {
  const options = [];
  for (const river of state.rivers)
    for (const id of river.sectionIds) {
      const section = state.sections.get(id);
      if (section) options.push(h('option', { value: id }, `${nameOf(river.name)} · ${nameOf(section.name)}`));
    }
  return options;
}

/**
 * @param state { silences: Map, sections, stations, parameters, agencies, rivers, silenceDraft: { sectionId } }
 * @param actions { create(body), end(id), draftSection(sectionId) }
 */
export function renderSilences(formEl, listEl, emptyEl, countEl, state, actions) {
  const items = [...state.silences.values()].sort((a, b) => b.createdAt - a.createdAt);
  countEl.textContent = String(items.length);
  emptyEl.hidden = items.length > 0;
  mount(
    listEl,
    items.map((s) =>
      h(
        'li',
        { class: ['silence', s.silencingNow && 'is-now'], 'data-silence-id': s.id },
        h(
          'div',
          { class: 'silence-top' },
          h('strong', { class: 'silence-what' }, matcherText(s.matcher, state)),
          h('span', { class: 'silence-when' }, `${formatTime(s.startsAt)} – ${formatTime(s.endedAt ?? s.endsAt)}`),
        ),
        s.recurrence && h('p', { class: 'silence-weekly' }, weeklyText(s.recurrence)),
        h('p', { class: 'silence-reason' }, `${t('silenceReason')}：${s.reason}`),
        h('p', { class: 'silence-held' }, `${t('silenceHeld')} ${s.heldAlertIds.length}`),
        h('ul', { class: 'silence-audit' }, auditLines(s, state).map((line) => h('li', {}, line))),
        h('button', { type: 'button', class: 'end-silence', onclick: () => actions.end(s.id) }, t('endSilence')),
      ),
    ),
  );
  // The form is built once per registry/language, so what is being typed survives live re-renders.
  const formKey = `${currentLang()}:${state.sections.size}`;
  if (formEl.dataset.key === formKey) return;
  formEl.dataset.key = formKey;
  const now = Date.now();
  const stationSelect = h('select', { name: 'stationId', 'aria-label': t('station') });
  const fillStations = (sectionId) => {
    const section = state.sections.get(sectionId);
    mount(
      stationSelect,
      h('option', { value: '' }, t('wholeSection')),
      (section?.stationIds ?? []).map((id) => h('option', { value: id }, nameOf(state.stations.get(id)?.name) || id)),
    );
  };
  const sectionSelect = h(
    'select',
    { name: 'sectionId', required: true, 'aria-label': t('section'), onchange: (e) => fillStations(e.currentTarget.value) },
    sectionOptions(state),
  );
  fillStations(sectionSelect.value);
  const field = (label, control) => h('label', { class: 'field' }, h('span', {}, label), control);
  mount(
    formEl,
    field(t('section'), sectionSelect),
    field(t('station'), stationSelect),
    field(
      t('parameter'),
      h(
        'select',
        { name: 'parameter' },
        h('option', { value: '' }, t('allParameters')),
        [...state.parameters.values()].map((p) => h('option', { value: p.key }, nameOf({ zh: p.nameZh, en: p.nameEn }))),
      ),
    ),
    field(
      t('kind'),
      h('select', { name: 'kind' }, h('option', { value: '' }, t('allKinds')), KINDS.map((k) => h('option', { value: k }, t('kinds')[k]))),
    ),
    field(t('from'), h('input', { type: 'datetime-local', name: 'from', required: true, value: localInputValue(now) })),
    field(t('to'), h('input', { type: 'datetime-local', name: 'to', required: true, value: localInputValue(now + 2 * 3600000) })),
    field(t('silenceReason'), h('input', { name: 'reason', required: true, maxlength: '2000', placeholder: t('silenceReasonHint') })),
    h('button', { type: 'submit', class: 'primary' }, t('createSilence')),
  );
  formEl.onsubmit = (e) => {
    e.preventDefault();
    const f = e.currentTarget.elements;
    const startsAt = parseLocalInput(f.from.value);
    const endsAt = parseLocalInput(f.to.value);
    const matcher = { sectionId: f.sectionId.value };
    if (f.stationId.value) matcher.stationId = f.stationId.value;
    if (f.parameter.value) matcher.parameter = f.parameter.value;
    if (f.kind.value) matcher.kind = f.kind.value;
    void actions.create({ matcher, startsAt, endsAt, reason: f.reason.value.trim() }).then((ok) => {
      if (ok) f.reason.value = '';
    });
  };
}

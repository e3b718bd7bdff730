// A section's alert history (issue 15 §5, §6): the last 30 days' alerts of the section shown in the station panel,
// newest first, with their sentence, status and feedback label; a label can be given or changed here.
import { alertText } from './alert-text.js';
import { h, mount } from './dom.js';
import { formatTime, nameOf, t } from './i18n.js';

/** Label choices as `label` or `false-alarm:cause`, in the order a duty officer thinks of them. */
export const LABEL_CHOICES = ['real-event', 'false-alarm:rain', 'false-alarm:sensor', 'false-alarm:operations', 'false-alarm:unknown', 'test'];

export function labelValue(feedback) {
  if (!feedback) return '';
  return feedback.label === 'false-alarm' ? `false-alarm:${feedback.cause ?? 'unknown'}` : feedback.label;
}

/** `{ label, cause? }` of a choice. */
export function parseLabel(value) {
  const [label, cause] = value.split(':');
  return cause ? { label, cause } : { label };
}

export function labelSelect(name, selected, extra = {}) {
  return h(
    'select',
    { name, 'aria-label': t('feedbackLabel'), ...extra },
    h('option', { value: '' }, t('noLabel')),
    LABEL_CHOICES.map((v) => h('option', { value: v, selected: v === selected }, t('labels')[v])),
  );
}

/**
 * @param state { history: { sectionId, items } | undefined, sections, stations, parameters, agencies }
 * @param actions { label(alertId, value) }
 */
export function renderHistory(titleEl, listEl, emptyEl, state, actions) {
  const history = state.history;
  const section = history ? state.sections.get(history.sectionId) : undefined;
  titleEl.textContent = section ? `${t('history')} · ${nameOf(section.name)}` : t('history');
  const items = history?.items ?? [];
  emptyEl.hidden = items.length > 0;
  mount(
    listEl,
    items.map((item) => {
      const level = item.maxLevel ?? 'none';
      const by = item.feedback?.actor?.agencyId ? state.agencies.get(item.feedback.actor.agencyId) : undefined;
      return h(
        'li',
        { class: ['history-item', `level-${level}`], 'data-alert-id': item.alertId, 'data-label': labelValue(item.feedback) },
        h(
          'div',
          { class: 'alert-top' },
          h('span', { class: ['level-badge', `level-${level}`] }, t('levels')[level] ?? level),
          h('span', { class: 'kind' }, t('kinds')[item.kind] ?? item.kind),
          h('span', { class: ['status-badge', `status-${item.status}`] }, t(item.status)),
          item.flapping && h('span', { class: 'flap-badge' }, t('flapping')),
          h('time', { class: 'when', datetime: new Date(item.openedAt).toISOString() }, formatTime(item.openedAt)),
        ),
        h('p', { class: 'alert-message' }, alertText({ ...item, id: item.alertId }, state)),
        h(
          'form',
          {
            class: 'label-form',
            onsubmit: (e) => {
              e.preventDefault();
              const value = e.currentTarget.elements.label.value;
              if (value) actions.label(item.alertId, value);
            },
          },
          labelSelect('label', labelValue(item.feedback)),
          h('button', { type: 'submit' }, t('save')),
          item.feedback &&
            h(
              'span',
              { class: 'label-by' },
              `${t('labels')[labelValue(item.feedback)]} · ${by ? nameOf(by.name) : (item.feedback.actor.agencyId ?? '')} · ${formatTime(item.feedback.at)}`,
            ),
        ),
      );
    }),
  );
}

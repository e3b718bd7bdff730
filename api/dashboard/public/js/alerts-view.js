// Alerts not yet resolved, newest first, with level colour and the acknowledge / resolve actions.
import { alertText } from './alert-text.js';
import { h, mount } from './dom.js';
import { labelSelect } from './history-view.js';
import { formatTime, nameOf, t } from './i18n.js';

/** "Reminder 14:05 · escalates to X at 14:35" for an unacknowledged alert, from its escalation plan. */
function escalationNote(plan) {
  if (!plan || plan.next.length === 0) return undefined;
  const parts = plan.next.map((n) =>
    n.adds
      ? `${formatTime(n.at)} ${t('escalatesTo')} ${nameOf(n.addsName) || n.adds}`
      : `${formatTime(n.at)} ${t('remindAgain')}`,
  );
  return h(
    'p',
    { class: 'escalation-note', 'data-next-escalation': plan.next.find((n) => n.adds)?.adds },
    `${t('unacked')} · ${parts.join(' · ')}`,
  );
}

/** Alerts to show: not resolved, newest first. */
export function activeAlerts(alerts) {
  return [...alerts.values()]
    .filter((a) => a.status !== 'resolved')
    .sort((a, b) => b.openedAt - a.openedAt || b.updatedAt - a.updatedAt);
}

/**
 * @param state { alerts: Map, sections: Map, parameters: Map, agencies: Map, fresh: Set, resolving: Map (alert id → reason typed so far) }
 * @param actions { acknowledge(id), resolve(id, reason), toggleResolve(id), select(sectionId) }
 */
export function renderAlerts(listEl, emptyEl, countEl, state, actions) {
  // The list is rebuilt on every event: keep the reason being typed, and the focus, across it.
  const focused = document.activeElement?.dataset?.resolveFor;
  const items = activeAlerts(state.alerts);
  countEl.textContent = String(items.length);
  emptyEl.hidden = items.length > 0;
  mount(
    listEl,
    items.map((alert) => {
      const level = alert.level ?? 'none';
      const section = state.sections.get(alert.sectionId);
      const params = alert.parameters
        .map((p) =>
          state.parameters.get(p) ? nameOf({ zh: state.parameters.get(p).nameZh, en: state.parameters.get(p).nameEn }) : p,
        )
        .join('、');
      const ackBy = alert.acknowledged?.actor?.agencyId ? state.agencies.get(alert.acknowledged.actor.agencyId) : undefined;
      const resolving = state.resolving.has(alert.id);
      // Held back by a silence or a station's maintenance window: shown greyed, with who silenced it and why.
      const held = state.silencedAlerts?.get(alert.id);
      const silence = held ? state.silences.get(held.silenceId) : undefined;
      const silencer = silence ? state.agencies.get(silence.agencyId) : undefined;
      const silencePerson = silence?.history[0]?.actor?.name;
      return h(
        'li',
        {
          class: [
            'alert',
            `level-${level}`,
            state.fresh.has(alert.id) && 'fresh',
            alert.status === 'acknowledged' && 'is-acked',
            held && 'is-silenced',
            state.escalations?.get(alert.id)?.doubtful && 'is-doubtful',
          ],
          'data-alert-id': alert.id,
          'data-status': alert.status,
          'data-silence-id': held?.silenceId,
        },
        h('div', { class: 'alert-bar' }),
        h(
          'div',
          { class: 'alert-body' },
          h(
            'div',
            { class: 'alert-top' },
            h('span', { class: ['level-badge', `level-${level}`] }, t('levels')[level] ?? level),
            h('span', { class: 'kind' }, t('kinds')[alert.kind] ?? alert.kind),
            h('span', { class: ['status-badge', `status-${alert.status}`] }, t(alert.status)),
            state.escalations?.get(alert.id)?.flapping && h('span', { class: 'flap-badge' }, t('flapping')),
            h('time', { class: 'when', datetime: new Date(alert.openedAt).toISOString() }, formatTime(alert.openedAt)),
          ),
          h(
            'div',
            { class: 'alert-where' },
            h(
              'a',
              { href: '#', class: 'section-link', onclick: (e) => (e.preventDefault(), actions.select(alert.sectionId)) },
              section ? nameOf(section.name) : alert.sectionId,
            ),
            alert.stationId
              ? ` · ${state.stations.get(alert.stationId) ? nameOf(state.stations.get(alert.stationId).name) : alert.stationId}`
              : '',
            params ? ` · ${params}` : '',
          ),
          h('p', { class: 'alert-message' }, alertText(alert, state)),
          held &&
            h(
              'p',
              { class: 'silenced-note' },
              held.inhibitedByAlertId
                ? `${t('inhibitedBy')}：${state.alerts.get(held.inhibitedByAlertId) ? alertText(state.alerts.get(held.inhibitedByAlertId), state) : ''}`
                : held.maintenanceStationId
                  ? `${t('silencedBy')} · ${t('maintenance')}`
                  : `${t('silencedBy')} · ${silencer ? nameOf(silencer.name) : (silence?.agencyId ?? '')}${silencePerson ? `（${silencePerson}）` : ''}${silence ? ` · ${silence.reason} · ${t('to')} ${formatTime(silence.endedAt ?? silence.endsAt)}` : ''}`,
            ),
          // Who is told next while nobody has acknowledged it (issue 15 §4).
          alert.status === 'open' && !held && escalationNote(state.escalations?.get(alert.id)),
          // Its station is offline or faulty: the alert may not be real, and it does not climb (issue 15 §2).
          state.escalations?.get(alert.id)?.doubtful &&
            h(
              'p',
              { class: 'doubt-note', 'data-doubt': state.escalations.get(alert.id).doubtful },
              `${t('doubtful')}：${t('doubtReasons')[state.escalations.get(alert.id).doubtful]}`,
            ),
          alert.acknowledged &&
            h(
              'p',
              { class: 'acked-note' },
              `${t('acknowledgedBy')} · ${ackBy ? nameOf(ackBy.name) : (alert.acknowledged.actor.agencyId ?? '')} · ${formatTime(alert.acknowledged.at)}`,
            ),
          h(
            'div',
            { class: 'alert-actions' },
            alert.status === 'open' &&
              h('button', { type: 'button', class: 'ack', onclick: () => actions.acknowledge(alert.id) }, t('ack')),
            !resolving &&
              h('button', { type: 'button', class: 'resolve', onclick: () => actions.toggleResolve(alert.id) }, t('resolve')),
          ),
          resolving &&
            h(
              'form',
              {
                class: 'resolve-form',
                onsubmit: (e) => {
                  e.preventDefault();
                  const reason = e.currentTarget.elements.reason.value.trim();
                  if (reason) actions.resolve(alert.id, reason, e.currentTarget.elements.label.value);
                },
              },
              h('input', {
                name: 'reason',
                required: true,
                maxlength: '2000',
                placeholder: t('resolveReason'),
                'aria-label': t('resolveReason'),
                'data-resolve-for': alert.id,
                value: state.resolving.get(alert.id) ?? '',
                oninput: (e) => state.resolving.set(alert.id, e.currentTarget.value),
              }),
              // What it was (issue 15 §5): kept across re-renders like the reason.
              labelSelect('label', state.resolvingLabel?.get(alert.id) ?? '', {
                'data-label-for': alert.id,
                onchange: (e) => state.resolvingLabel?.set(alert.id, e.currentTarget.value),
              }),
              h('button', { type: 'submit', class: 'primary' }, t('confirm')),
              h('button', { type: 'button', onclick: () => actions.toggleResolve(alert.id) }, t('cancel')),
            ),
        ),
      );
    }),
  );
  if (focused) {
    const input = listEl.querySelector(`input[data-resolve-for="${window.CSS.escape(focused)}"]`);
    input?.focus();
    input?.setSelectionRange(input.value.length, input.value.length);
  }
}

// Joint-monitoring tasks in progress: section, level, parties and lead, arrival deadline, the eight on-site steps
// of each party, escalations and open problems.
import { h, mount } from './dom.js';
import { formatDuration, formatTime, nameOf, t } from './i18n.js';
import { draftKey, newDraft, stepForm } from './step-form.js';

const STEPS = 8;

export function activeTasks(tasks) {
  return [...tasks.values()].filter((task) => task.status !== 'closed').sort((a, b) => b.openedAt - a.openedAt);
}

/**
 * @param state { tasks: Map, sections: Map, agencies: Map, nowMs, me, stepDrafts: Map (draftKey → draft) }
 * @param actions { select(sectionId), recordStep(taskId, body), toggleStep(taskId, party, draft|undefined) }
 */
export function renderTasks(listEl, emptyEl, countEl, state, actions) {
  const items = activeTasks(state.tasks);
  countEl.textContent = String(items.length);
  emptyEl.hidden = items.length > 0;
  const agencyName = (id) => (state.agencies.get(id) ? nameOf(state.agencies.get(id).name) : id);
  mount(
    listEl,
    items.map((task) => {
      const section = state.sections.get(task.sectionId);
      const level = task.level ?? 'none';
      const arrivedAll = task.parties.every((p) => (task.stepsDone[p] ?? 0) > 0);
      const leftMs = task.arrivalDeadline - state.nowMs;
      const deadline =
        task.status === 'open' && !arrivedAll
          ? h(
              'span',
              { class: ['deadline', leftMs < 0 && 'overdue'] },
              `${formatTime(task.arrivalDeadline)} · ${leftMs < 0 ? t('overdue') : `${t('remaining')} ${formatDuration(leftMs)}`}`,
            )
          : h('span', { class: 'deadline' }, formatTime(task.arrivalDeadline));
      return h(
        'li',
        { class: ['task', `level-${level}`], 'data-task-id': task.id, 'data-status': task.status },
        h(
          'div',
          { class: 'task-top' },
          h('span', { class: ['level-badge', `level-${level}`] }, t('levels')[level] ?? level),
          h(
            'a',
            { href: '#', class: 'section-link', onclick: (e) => (e.preventDefault(), actions.select(task.sectionId)) },
            section ? nameOf(section.name) : task.sectionId,
          ),
          h('span', { class: ['status-badge', `status-${task.status}`] }, t(task.status)),
          h('time', { class: 'when', datetime: new Date(task.openedAt).toISOString() }, formatTime(task.openedAt)),
        ),
        h(
          'dl',
          { class: 'task-meta' },
          h('dt', {}, t('lead')),
          h('dd', {}, agencyName(task.coordinatorId)),
          h('dt', {}, t('deadline')),
          h('dd', {}, deadline),
          task.escalations.length > 0 && h('dt', {}, t('escalated')),
          task.escalations.length > 0 &&
            h('dd', { class: 'overdue' }, task.escalations.map((e) => agencyName(e.toAgencyId)).join(' → ')),
          task.openProblems > 0 && h('dt', {}, t('problems')),
          task.openProblems > 0 && h('dd', {}, String(task.openProblems)),
          // One task per section and incident: how many alerts it carries (every attachment is a live task event).
          task.alertIds.length > 1 && h('dt', {}, t('taskAlerts')),
          task.alertIds.length > 1 && h('dd', { class: 'task-alerts' }, String(task.alertIds.length)),
        ),
        h(
          'table',
          { class: 'steps-table' },
          h('caption', { class: 'sr-only' }, t('steps')),
          task.parties.map((party) => {
            const done = task.stepsDone[party] ?? 0;
            const key = draftKey(task.id, party);
            const draft = state.stepDrafts?.get(key);
            // The desk may act for its own agency, and the lead for every party (the server checks the hierarchy).
            const mayAct = task.status !== 'closed' && done < STEPS && (party === state.me?.agency?.id || task.coordinatorId === state.me?.agency?.id);
            const row = h(
              'tr',
              { 'data-party': party },
              h('th', { scope: 'row' }, agencyName(party)),
              h(
                'td',
                {},
                h(
                  'ol',
                  { class: 'steps', 'aria-label': `${t('steps')} ${done}/${STEPS}` },
                  t('stepNames').map((name, i) =>
                    h('li', { class: i < done ? 'done' : i === done ? 'next' : '', title: `${i + 1}. ${name}` }, String(i + 1)),
                  ),
                ),
              ),
              h(
                'td',
                { class: 'steps-count' },
                `${done}/${STEPS}`,
                mayAct &&
                  !draft &&
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'next-step',
                      title: `${t('recordStep')}: ${t('stepNames')[done]}`,
                      onclick: () => actions.toggleStep(task.id, party, newDraft(section)),
                    },
                    t('recordStep'),
                  ),
              ),
            );
            if (!draft) return row;
            return [
              row,
              h(
                'tr',
                { class: 'step-form-row' },
                h(
                  'td',
                  { colspan: '3' },
                  stepForm(
                    task,
                    party,
                    done,
                    draft,
                    (body) => actions.recordStep(task.id, body),
                    () => actions.toggleStep(task.id, party, undefined),
                  ),
                ),
              ),
            ];
          }),
        ),
      );
    }),
  );
}

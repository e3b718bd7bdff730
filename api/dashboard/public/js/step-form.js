// Recording a party's next on-site step from the desk (issue 15 §6): when it happened (the sections' local time),
// who did it, where (coordinates, required for the sign-in, prefilled with the section's), and a note. What is
// being typed is kept in `drafts` so live re-renders do not lose it.
import { h } from './dom.js';
import { t } from './i18n.js';
import { localInputValue, parseLocalInput } from './silences-view.js';

export const STEP_KEYS = [
  'locate-sign-in',
  'show-credentials',
  'verify-information',
  'inspect',
  'make-record',
  'print-sign',
  'file-electronically',
  'complete',
];

/** Key of a draft: one form per task and party. */
export const draftKey = (taskId, party) => `${taskId}|${party}`;

/**
 * @param draft { at, name, lat, lon, note } (mutated as the user types)
 * @param onSubmit (body) => void, body as POST /api/v1/tasks/{id}/steps takes it
 */
export function stepForm(task, party, stepIndex, draft, onSubmit, onCancel) {
  const step = STEP_KEYS[stepIndex];
  const bind = (field) => ({ value: draft[field] ?? '', oninput: (e) => (draft[field] = e.currentTarget.value) });
  const field = (label, control) => h('label', { class: 'field' }, h('span', {}, label), control);
  return h(
    'form',
    {
      class: 'step-form',
      'data-step-for': `${task.id}|${party}`,
      'data-step': step,
      onsubmit: (e) => {
        e.preventDefault();
        // What the form shows is what is sent (the draft only carries it across re-renders).
        const f = e.currentTarget.elements;
        for (const field of ['at', 'name', 'lat', 'lon', 'note']) draft[field] = f[field].value;
        const at = parseLocalInput(draft.at);
        const lat = Number(draft.lat);
        const lon = Number(draft.lon);
        const body = { step, party, ...(Number.isFinite(at) ? { at } : {}) };
        if (draft.lat !== '' && draft.lon !== '' && Number.isFinite(lat) && Number.isFinite(lon)) body.coordinates = { lat, lon };
        if (draft.name) body.name = draft.name.trim();
        if (draft.note) body.note = draft.note.trim();
        onSubmit(body);
      },
    },
    h('strong', { class: 'step-title' }, `${stepIndex + 1}. ${t('stepNames')[stepIndex]}`),
    field(t('stepTime'), h('input', { type: 'datetime-local', name: 'at', required: true, ...bind('at') })),
    field(t('stepActor'), h('input', { name: 'name', required: true, maxlength: '200', ...bind('name') })),
    field(t('lat'), h('input', { name: 'lat', inputmode: 'decimal', required: step === 'locate-sign-in', size: '8', ...bind('lat') })),
    field(t('lon'), h('input', { name: 'lon', inputmode: 'decimal', required: step === 'locate-sign-in', size: '8', ...bind('lon') })),
    field(t('stepNote'), h('input', { name: 'note', maxlength: '4000', ...bind('note') })),
    h('button', { type: 'submit', class: 'primary' }, t('recordStep')),
    h('button', { type: 'button', onclick: onCancel }, t('cancel')),
  );
}

/** A new draft: now, and the section's coordinates as the place. */
export function newDraft(section) {
  return { at: localInputValue(Date.now()), name: '', lat: section ? String(section.lat) : '', lon: section ? String(section.lon) : '', note: '' };
}

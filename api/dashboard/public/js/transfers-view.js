// Transfers with feedback (issue 18, docs/transfers.md): what this agency received and sent, with deadline, status,
// answers, escalations and result; the receiver accepts, refuses with a reason or reports its result here, and an
// active alert can be transferred to the responsible agency of the registry with a reason.
import { alertText } from './alert-text.js';
import { h, mount } from './dom.js';
import { currentLang, formatDuration, formatTime, nameOf } from './i18n.js';

const STRINGS = {
  zh: {
    title: '转办与反馈', none: '暂无转办。', received: '收到', sent: '发出', pending: '待接收', accepted: '已接收，办理中',
    refused: '已退回', completed: '已反馈结果', reason: '转办理由', acceptBy: '接收时限', resultBy: '反馈时限', escalated: '已上报',
    result: '办理结果', refusedBecause: '退回理由', accept: '接收', refuse: '退回', report: '反馈结果', refuseReason: '退回理由（必填）',
    resultText: '办理结果（必填）', newTitle: '转办预警', alert: '预警', to: '责任单位', send: '转办', pick: '请选择',
    needReason: '请填写理由。', failed: '操作失败：', from: '转办单位', receiver: '接收单位', overdue: '已超时', left: '剩余',
  },
  en: {
    title: 'Transfers and feedback', none: 'No transfers.', received: 'received', sent: 'sent', pending: 'awaiting acceptance',
    accepted: 'accepted, in hand', refused: 'returned', completed: 'result reported', reason: 'Reason', acceptBy: 'Accept by',
    resultBy: 'Result by', escalated: 'Escalated to', result: 'Result', refusedBecause: 'Returned because', accept: 'Accept',
    refuse: 'Return', report: 'Report result', refuseReason: 'Why it is returned (required)', resultText: 'Result of the handling (required)',
    newTitle: 'Transfer an alert', alert: 'Alert', to: 'Responsible agency', send: 'Transfer', pick: 'choose…',
    needReason: 'Give a reason.', failed: 'Action failed: ', from: 'From', receiver: 'To', overdue: 'overdue', left: 'left',
  },
};
const tr = (key) => STRINGS[currentLang()][key] ?? key;

export class TransfersPanel {
  /** @param els { list, count, empty, form, title } */
  constructor({ api, els, onChange }) {
    this.api = api;
    this.els = els;
    this.onChange = onChange;
    this.items = [];
    this.agencies = [];
    this.drafts = new Map();
  }

  async refresh() {
    const [list, agencies] = await Promise.all([
      this.api.get('/api/v1/transfers?limit=100'),
      this.agencies.length > 0 ? { items: this.agencies } : this.api.get('/api/v1/transfers/agencies'),
    ]);
    this.items = list.items;
    this.agencies = agencies.items;
    this.onChange();
  }

  async #act(fn) {
    try {
      await fn();
      await this.refresh();
    } catch (err) {
      window.alert(`${tr('failed')}${err.message}`);
    }
  }

  #answer(id, kind) {
    const text = (this.drafts.get(`${kind}:${id}`) ?? '').trim();
    if (kind !== 'accept' && !text) return window.alert(tr('needReason'));
    const body = kind === 'accept' ? {} : kind === 'refuse' ? { reason: text } : { result: text };
    void this.#act(() => this.api.post(`/api/v1/transfers/${encodeURIComponent(id)}/${kind}`, body));
  }

  #draftInput(key, placeholder) {
    return h('input', {
      type: 'text',
      name: key.split(':')[0],
      placeholder,
      value: this.drafts.get(key) ?? '',
      oninput: (e) => this.drafts.set(key, e.target.value),
    });
  }

  /** @param state the dashboard state (me, alerts, sections, nowMs) */
  render(state) {
    const me = state.me?.agency.id;
    this.els.title.textContent = tr('title');
    this.els.count.textContent = String(this.items.filter((x) => x.status === 'pending' || x.status === 'accepted').length);
    this.els.empty.textContent = tr('none');
    this.els.empty.hidden = this.items.length > 0;
    const isMine = (agencyId) => agencyId === me || this.agencies.some((a) => a.id === agencyId && a.ancestors.includes(me));
    mount(
      this.els.list,
      this.items.map((x) => {
        const incoming = isMine(x.toAgencyId);
        const deadline = x.status === 'pending' ? x.acceptDeadline : x.status === 'accepted' ? x.resultDeadline : undefined;
        const left = deadline === undefined ? undefined : deadline - state.nowMs;
        const level = x.subject.level ?? 'none';
        return h(
          'li',
          { class: ['transfer', `level-${level}`], 'data-transfer-id': x.id, 'data-status': x.status, 'data-direction': incoming ? 'in' : 'out' },
          h(
            'div',
            { class: 'transfer-top' },
            h('span', { class: ['direction', incoming ? 'in' : 'out'] }, incoming ? tr('received') : tr('sent')),
            h('strong', {}, nameOf(x.names.section)),
            h('span', { class: ['status-badge', `transfer-${x.status}`] }, tr(x.status)),
            h('time', { class: 'when' }, formatTime(x.createdAt)),
          ),
          h('p', { class: 'transfer-subject' }, x.subject.summary),
          h(
            'dl',
            { class: 'task-meta' },
            h('dt', {}, tr('from')),
            h('dd', {}, nameOf(x.names.from)),
            h('dt', {}, tr('receiver')),
            h('dd', { class: 'transfer-to' }, nameOf(x.names.to)),
            h('dt', {}, tr('reason')),
            h('dd', { class: 'transfer-reason' }, x.reason),
            deadline !== undefined && h('dt', {}, x.status === 'pending' ? tr('acceptBy') : tr('resultBy')),
            deadline !== undefined &&
              h('dd', { class: ['deadline', left < 0 && 'overdue'] }, `${formatTime(deadline)} · ${left < 0 ? tr('overdue') : `${tr('left')} ${formatDuration(left)}`}`),
            x.escalations.length > 0 && h('dt', {}, tr('escalated')),
            x.escalations.length > 0 &&
              h('dd', { class: ['overdue', 'transfer-escalations'] }, x.escalations.map((e) => nameOf(this.#agency(e.toAgencyId)?.name) || e.toAgencyId).join(' → ')),
            x.refused && h('dt', {}, tr('refusedBecause')),
            x.refused && h('dd', { class: 'transfer-refused' }, x.refused.reason),
            x.result && h('dt', {}, tr('result')),
            x.result && h('dd', { class: 'transfer-result' }, `${x.result.text} (${formatTime(x.result.at)})`),
          ),
          incoming && x.status === 'pending' &&
            h(
              'div',
              { class: 'transfer-actions' },
              h('button', { type: 'button', class: 'primary', 'data-action': 'accept', onclick: () => this.#answer(x.id, 'accept') }, tr('accept')),
              this.#draftInput(`refuse:${x.id}`, tr('refuseReason')),
              h('button', { type: 'button', 'data-action': 'refuse', onclick: () => this.#answer(x.id, 'refuse') }, tr('refuse')),
            ),
          incoming && x.status === 'accepted' &&
            h(
              'div',
              { class: 'transfer-actions' },
              this.#draftInput(`result:${x.id}`, tr('resultText')),
              h('button', { type: 'button', class: 'primary', 'data-action': 'result', onclick: () => this.#answer(x.id, 'result') }, tr('report')),
            ),
        );
      }),
    );
    this.#renderForm(state);
  }

  #agency(id) {
    return this.agencies.find((a) => a.id === id);
  }

  #renderForm(state) {
    const alerts = [...state.alerts.values()].filter((a) => a.status !== 'resolved');
    const me = state.me?.agency.id;
    const draft = this.drafts.get('new') ?? { alertId: '', toAgencyId: '', reason: '' };
    // Read the draft at event time: several fields change between two renders.
    const patch = (p) => this.drafts.set('new', { ...(this.drafts.get('new') ?? draft), ...p });
    const option = (value, label, selected) => h('option', { value, selected: selected || undefined }, label);
    mount(
      this.els.form,
      h('h3', {}, tr('newTitle')),
      h(
        'label',
        {},
        tr('alert'),
        h(
          'select',
          { name: 'alert', onchange: (e) => patch({ alertId: e.target.value }) },
          option('', tr('pick'), !draft.alertId),
          alerts.map((a) => option(a.id, `${nameOf(state.sections.get(a.sectionId)?.name) || a.sectionId} · ${alertText(a, state)}`, a.id === draft.alertId)),
        ),
      ),
      h(
        'label',
        {},
        tr('to'),
        h(
          'select',
          { name: 'to', onchange: (e) => patch({ toAgencyId: e.target.value }) },
          option('', tr('pick'), !draft.toAgencyId),
          this.agencies.filter((a) => a.id !== me).map((a) => option(a.id, nameOf(a.name), a.id === draft.toAgencyId)),
        ),
      ),
      h('input', { type: 'text', name: 'reason', placeholder: tr('reason'), value: draft.reason, oninput: (e) => patch({ reason: e.target.value }) }),
      h(
        'button',
        {
          type: 'button',
          'data-action': 'transfer',
          onclick: () => {
            const d = this.drafts.get('new') ?? draft;
            if (!d.alertId || !d.toAgencyId || !d.reason.trim()) return window.alert(tr('needReason'));
            void this.#act(async () => {
              await this.api.post(`/api/v1/alerts/${encodeURIComponent(d.alertId)}/transfers`, { toAgencyId: d.toAgencyId, reason: d.reason.trim() });
              this.drafts.delete('new');
            });
          },
        },
        tr('send'),
      ),
    );
  }
}

/** Whether a live event is a transfer step (the panel then reloads its list). */
export function isTransferEvent(event) {
  return typeof event?.transition?.type === 'string' && event.transition.type.startsWith('transfer');
}


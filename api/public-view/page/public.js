// Public view of RiverWatch (issue 18): reads the public feed, no key. Texts in Chinese and English, times in Asia/Shanghai.
const STRINGS = {
  zh: {
    title: '跨界断面水质信息公开', intro: '各监测断面当前水质类别（按 GB 3838-2002 单因子评价）与水质目标的对比、近期逐日类别，以及已办结的跨界联合监测任务。数据为自动监测结果，仅供参考。',
    updated: '更新时间', json: 'JSON 数据', csv: '逐日类别 CSV', tasksCsv: '联合任务 CSV', sections: '断面水质', river: '河流', section: '断面',
    jurisdictions: '所属辖区', target: '目标', current: '当前类别', days: '逐日类别（最差小时）', tasks: '已办结的联合监测任务', parties: '参与方',
    lead: '牵头单位', opened: '启动', closed: '办结', result: '结果', noTasks: '暂无已办结的联合监测任务。', meets: '达标', misses: '未达标',
    noData: '暂无数据', loadFailed: '数据加载失败，请稍后刷新页面重试。', boundary: '交界断面', langSwitch: 'English',
  },
  en: {
    title: 'Cross-boundary sections: water quality disclosure', intro: 'Current water-quality class of each monitoring section (GB 3838-2002 single-factor evaluation) against its target, the class by day, and closed cross-boundary joint monitoring tasks. Automatic monitoring results, for information.',
    updated: 'Updated', json: 'JSON data', csv: 'Daily classes CSV', tasksCsv: 'Joint tasks CSV', sections: 'Sections', river: 'River', section: 'Section',
    jurisdictions: 'Jurisdictions', target: 'Target', current: 'Current class', days: 'Class by day (worst hour)', tasks: 'Closed joint monitoring tasks', parties: 'Parties',
    lead: 'Lead agency', opened: 'Opened', closed: 'Closed', result: 'Result', noTasks: 'No closed joint monitoring task yet.', meets: 'meets target', misses: 'misses target',
    noData: 'no data', loadFailed: 'The data could not be loaded; please reload the page in a moment.', boundary: 'boundary section', langSwitch: '中文',
  },
};
let lang = localStorage.getItem('rw.lang') === 'en' ? 'en' : 'zh';
let data = { sections: undefined, tasks: undefined };
const t = (key) => STRINGS[lang][key] ?? key;
const name = (n) => (n ? n[lang] || n.zh : '');
const fmt = (iso) =>
  iso ? new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '—';

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function badge(cls, label, miss) {
  return el('span', { class: `cls c${cls ?? 0}${miss ? ' miss' : ''}`, 'data-class': cls ?? '' }, label ? name(label) : t('noData'));
}

function renderSections() {
  const body = document.querySelector('#sections tbody');
  body.replaceChildren();
  for (const s of data.sections?.sections ?? []) {
    const cur = s.current;
    const current = el('td', { class: 'current' }, badge(cur?.class, cur?.label, cur && !cur.meetsTarget));
    if (cur) current.append(' ', el('span', { class: 'small' }, `${cur.meetsTarget ? t('meets') : t('misses')} · ${fmt(cur.at)}`));
    const days = el('div', { class: 'days' });
    for (const d of s.days)
      days.append(el('span', { class: `day c${d.class ?? 0}${d.meetsTarget === false ? ' miss' : ''}`, title: `${d.date}: ${d.label ? name(d.label) : t('noData')}` }));
    body.append(
      el('tr', { 'data-section': s.id },
        el('td', {}, name(s.river)),
        el('td', { class: 'section-name' }, name(s.name), s.boundary ? el('div', { class: 'small' }, t('boundary')) : ''),
        el('td', {}, s.jurisdictions.map(name).join(lang === 'zh' ? '、' : ', ')),
        el('td', {}, badge(s.targetClass, s.targetLabel)),
        current,
        el('td', {}, days),
      ),
    );
  }
}

function renderTasks() {
  const body = document.querySelector('#tasks tbody');
  body.replaceChildren();
  const tasks = data.tasks?.tasks ?? [];
  document.getElementById('tasks-empty').hidden = tasks.length > 0;
  for (const task of tasks)
    body.append(
      el('tr', { 'data-task': task.id },
        el('td', {}, `${name(task.river)} · ${name(task.section)}`),
        el('td', {}, task.parties.map(name).join(lang === 'zh' ? '、' : ', ')),
        el('td', {}, name(task.lead)),
        el('td', {}, fmt(task.openedAt)),
        el('td', {}, fmt(task.closedAt)),
        el('td', {}, name(task.result)),
      ),
    );
}

function render() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = `${t('title')} · RiverWatch`;
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  const sw = document.getElementById('lang');
  sw.textContent = t('langSwitch');
  sw.lang = lang === 'zh' ? 'en' : 'zh-CN';
  document.getElementById('updated').textContent = fmt(data.sections?.generatedAt);
  renderSections();
  renderTasks();
}

async function load() {
  try {
    const [sections, tasks] = await Promise.all(['/api/public/v1/sections', '/api/public/v1/tasks'].map(async (url) => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      return res.json();
    }));
    data = { sections, tasks };
    document.getElementById('error').hidden = true;
  } catch {
    const e = document.getElementById('error');
    e.textContent = t('loadFailed');
    e.hidden = false;
  }
  render();
}

document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('rw.lang', lang);
  render();
});
render();
await load();
setInterval(load, 5 * 60_000);

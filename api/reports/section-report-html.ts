/**
 * The section report as one HTML page that prints well on A4 (styles in
 * api/dashboard/public/report.css, linked by absolute URL so the page also
 * works when a client opens it from a blob). Chinese or English. Every
 * value from the registry, alerts or tasks is escaped. Pure.
 */
import { CLASS_LABELS, type ClassLimit, type ParameterTable, type Registry, type WaterClass } from '../../domain/index.js';
import type { Alert, Task } from '../../platform/redis/alerts/index.js';
import { ON_SITE_STEPS } from '../../platform/redis/alerts/index.js';
import { isoWithOffset } from './csv.js';
import { labelKeyOf, type Exceedance, type SectionReport } from './section-report.js';
// The feedback labels, one file shared with the dashboard (which loads it as a JSON module).
import FEEDBACK_LABELS from '../dashboard/public/labels/feedback-labels.json' with { type: 'json' };

export type ReportLang = 'zh' | 'en';

const T = {
  zh: {
    title: '断面水质联合会商报告',
    section: '断面',
    river: '河流',
    period: '时段',
    target: '水质目标',
    sides: '上游 / 下游',
    lead: '牵头单位',
    drinking: '饮用水源地',
    boundary: '跨界断面',
    generated: '生成时间',
    attainment: '一、水质类别达标情况',
    evaluated: '评价小时数',
    coverage: '覆盖率',
    rate: '达标率',
    cls: '类别',
    hours: '小时',
    share: '占比',
    noClass: '本时段无分析模块写入的逐时断面类别。',
    exceedances: '二、超标情况（小时均值对照目标限值）',
    station: '站点',
    parameter: '指标',
    limit: '目标限值',
    exceedHours: '超标小时 / 评价小时',
    worst: '最差小时均值',
    multiple: '最大超标倍数',
    spanCol: '首次 — 末次',
    noExceed: '本时段无超标小时。',
    flaggedNote: '含非正常标记（维护、故障等）数据的小时不参与评价，已单独计数：',
    alerts: '三、预警',
    opened: '发生时间',
    level: '级别',
    kind: '类型',
    status: '状态',
    acked: '确认',
    resolved: '解除',
    message: '说明',
    noAlerts: '本时段无预警。',
    feedback: '性质认定',
    feedbackSummary: '预警性质认定汇总：',
    labels: FEEDBACK_LABELS.zh as Record<string, string>,
    tasks: '四、联合监测任务',
    parties: '参与方',
    deadline: '到场时限',
    steps: '现场八步',
    problems: '问题（未销号/总数）',
    closed: '关闭时间',
    noTasks: '本时段无联合监测任务。',
    notWired: '预警与任务服务未接入本进程，本节从略。',
    truncated: '预警或任务过多，仅列出前 500 条。',
    signatures: '会商签字',
    upstreamSign: '上游单位',
    downstreamSign: '下游单位',
    leadSign: '牵头单位',
    levels: { blue: '蓝色', yellow: '黄色', orange: '橙色', red: '红色' } as Record<string, string>,
    statuses: { open: '未确认', acknowledged: '已确认', resolved: '已解除', hold: '后督察', closed: '已关闭' } as Record<
      string,
      string
    >,
  },
  en: {
    title: 'Section report for the joint meeting',
    section: 'Section',
    river: 'River',
    period: 'Period',
    target: 'Target class',
    sides: 'Upstream / downstream',
    lead: 'Lead agency',
    drinking: 'drinking-water source',
    boundary: 'boundary section',
    generated: 'Generated',
    attainment: '1. Class attainment',
    evaluated: 'Hours evaluated',
    coverage: 'Coverage',
    rate: 'Attainment rate',
    cls: 'Class',
    hours: 'Hours',
    share: 'Share',
    noClass: 'No hourly section class from analytics in this period.',
    exceedances: '2. Exceedances (hourly means against the target limit)',
    station: 'Station',
    parameter: 'Parameter',
    limit: 'Target limit',
    exceedHours: 'Hours exceeding / evaluated',
    worst: 'Worst hourly mean',
    multiple: 'Max. exceedance multiple',
    spanCol: 'First — last',
    noExceed: 'No hour exceeded the target in this period.',
    flaggedNote: 'Hours whose mean includes flagged values (maintenance, fault, …) are not evaluated; counted apart:',
    alerts: '3. Alerts',
    opened: 'Opened',
    level: 'Level',
    kind: 'Kind',
    status: 'Status',
    acked: 'Acknowledged',
    resolved: 'Resolved',
    message: 'Message',
    noAlerts: 'No alerts in this period.',
    feedback: 'What it was',
    feedbackSummary: 'Alerts by what they were:',
    labels: FEEDBACK_LABELS.en as Record<string, string>,
    tasks: '4. Joint-monitoring tasks',
    parties: 'Parties',
    deadline: 'Arrival deadline',
    steps: 'On-site steps',
    problems: 'Problems (open/total)',
    closed: 'Closed',
    noTasks: 'No joint-monitoring tasks in this period.',
    notWired: 'The alerts and tasks service is not wired into this process; section left out.',
    truncated: 'More alerts or tasks than listed; the first 500 are shown.',
    signatures: 'Signatures',
    upstreamSign: 'Upstream agency',
    downstreamSign: 'Downstream agency',
    leadSign: 'Lead agency',
    levels: { blue: 'blue', yellow: 'yellow', orange: 'orange', red: 'red' } as Record<string, string>,
    statuses: {
      open: 'open',
      acknowledged: 'acknowledged',
      resolved: 'resolved',
      hold: 'post-supervision',
      closed: 'closed',
    } as Record<string, string>,
  },
} as const;

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

function when(ms: number | undefined, offsetMin: number): string {
  return ms === undefined ? '—' : isoWithOffset(ms, offsetMin).slice(0, 16).replace('T', ' ');
}

function pct(x: number | undefined): string {
  return x === undefined ? '—' : `${(x * 100).toFixed(1)} %`;
}

function limitText(limit: ClassLimit): string {
  if (limit.kind === 'range') return `${limit.min}–${limit.max}`;
  return `${limit.kind === 'upper' ? '≤' : '≥'} ${limit.value}`;
}

export interface RenderOptions {
  readonly lang: ReportLang;
  readonly registry: Registry;
  readonly parameters: ParameterTable;
  /** Origin of this server, for the stylesheet link (`http://host:port`). */
  readonly origin: string;
  readonly tzOffsetMin: number;
}

export function renderSectionReport(report: SectionReport, options: RenderOptions): string {
  const t = T[options.lang];
  const { registry, tzOffsetMin } = options;
  const name = (n: { zh: string; en: string }): string => escapeHtml(n[options.lang]);
  const agencyName = (id: string): string => {
    const a = registry.agencies.get(id);
    return a ? name(a.name) : escapeHtml(id);
  };
  const s = report.section;
  const river = registry.rivers.get(s.riverId);
  const lead = registry.leadAgency(registry.partiesOf(s));
  const a = report.attainment;
  const classLabel = (c: WaterClass): string => escapeHtml(CLASS_LABELS[c][options.lang]);
  const paramName = (key: string): string => {
    const spec = options.parameters.get(key);
    return spec
      ? `${escapeHtml(options.lang === 'zh' ? spec.nameZh : spec.nameEn)}${spec.unit ? ` <span class="unit">(${escapeHtml(spec.unit)})</span>` : ''}`
      : escapeHtml(key);
  };

  const classRows = ([1, 2, 3, 4, 5, 6] as const)
    .map((c) => {
      const n = a.byClass[`${c}`];
      return `<tr><td><span class="swatch cls-${c}"></span>${classLabel(c)}${c <= s.targetClass ? '' : ' <span class="over">✕</span>'}</td><td class="num">${n}</td><td class="num">${pct(a.evaluated === 0 ? undefined : n / a.evaluated)}</td></tr>`;
    })
    .join('');

  const exceeded = report.exceedances.filter((e) => e.hours > 0);
  const flagged = report.exceedances.filter((e) => e.flaggedHours > 0);
  const exceedRow = (e: Exceedance): string =>
    `<tr><td>${escapeHtml(e.stationId)}</td><td>${paramName(e.parameter)}</td><td class="num">${escapeHtml(limitText(e.limit))}</td><td class="num">${e.hours} / ${e.evaluatedHours}</td><td class="num">${e.worst ? `${escapeHtml(+e.worst.value.toFixed(4))}<br><span class="muted">${when(e.worst.ts, tzOffsetMin)}</span>` : '—'}</td><td class="num">${e.maxMultiple === undefined ? '—' : escapeHtml(e.maxMultiple.toFixed(2))}</td><td>${when(e.firstTs, tzOffsetMin)} — ${when(e.lastTs, tzOffsetMin)}</td></tr>`;

  // What each alert was, as its agencies labelled it (issue 15 §5), and the period's counts.
  const labelCell = (alertId: string): string => {
    const entry = report.feedback?.[alertId];
    return entry ? escapeHtml(t.labels[labelKeyOf(entry)] ?? entry.label) : escapeHtml(t.labels.unlabelled ?? '');
  };
  const feedbackSummary = report.feedbackCounts
    ? `<p class="note feedback-summary">${t.feedbackSummary} ${Object.entries(report.feedbackCounts)
        .map(([key, n]) => `${escapeHtml(t.labels[key] ?? key)} ${n}`)
        .join(' · ')}</p>`
    : '';
  const alertRow = (al: Alert): string =>
    `<tr><td>${when(al.openedAt, tzOffsetMin)}</td><td>${al.maxLevel ? `<span class="level level-${escapeHtml(al.maxLevel)}">${escapeHtml(t.levels[al.maxLevel] ?? al.maxLevel)}</span>` : '—'}</td><td>${escapeHtml(al.kind)}<br><span class="muted">${al.parameters.map(escapeHtml).join(', ')}</span></td><td>${escapeHtml(t.statuses[al.status] ?? al.status)}</td><td>${al.acknowledged ? `${when(al.acknowledged.at, tzOffsetMin)}<br><span class="muted">${escapeHtml(al.acknowledged.actor.agencyId ? agencyName(al.acknowledged.actor.agencyId) : al.acknowledged.actor.kind)}</span>` : '—'}</td><td>${al.resolved ? `${when(al.resolved.at, tzOffsetMin)}<br><span class="muted">${escapeHtml(al.resolved.reason)}</span>` : '—'}</td><td>${escapeHtml(al.message)}</td>${report.feedback ? `<td>${labelCell(al.id)}</td>` : ''}</tr>`;

  const taskRow = (task: Task): string => {
    const steps = task.parties
      .map((p) => `${agencyName(p)}: ${(task.steps[p] ?? []).length}/${ON_SITE_STEPS.length}`)
      .join('<br>');
    return `<tr><td>${when(task.openedAt, tzOffsetMin)}</td><td>${task.level ? `<span class="level level-${escapeHtml(task.level)}">${escapeHtml(t.levels[task.level] ?? task.level)}</span>` : '—'}</td><td>${task.parties.map(agencyName).join('<br>')}</td><td>${agencyName(task.coordinatorId)}</td><td>${when(task.arrivalDeadline, tzOffsetMin)}</td><td>${steps}</td><td class="num">${task.problems.filter((p) => p.status === 'open').length}/${task.problems.length}</td><td>${escapeHtml(t.statuses[task.status] ?? task.status)}</td><td>${when(task.closedAt, tzOffsetMin)}</td></tr>`;
  };

  const alertsSection =
    report.alerts === undefined
      ? `<p class="note">${t.notWired}</p>`
      : report.alerts.length === 0
        ? `<p>${t.noAlerts}</p>`
        : `<table><thead><tr><th>${t.opened}</th><th>${t.level}</th><th>${t.kind}</th><th>${t.status}</th><th>${t.acked}</th><th>${t.resolved}</th><th>${t.message}</th>${report.feedback ? `<th>${t.feedback}</th>` : ''}</tr></thead><tbody>${report.alerts.map(alertRow).join('')}</tbody></table>${feedbackSummary}`;
  const tasksSection =
    report.tasks === undefined
      ? `<p class="note">${t.notWired}</p>`
      : report.tasks.length === 0
        ? `<p>${t.noTasks}</p>`
        : `<table><thead><tr><th>${t.opened}</th><th>${t.level}</th><th>${t.parties}</th><th>${t.lead}</th><th>${t.deadline}</th><th>${t.steps}</th><th>${t.problems}</th><th>${t.status}</th><th>${t.closed}</th></tr></thead><tbody>${report.tasks.map(taskRow).join('')}</tbody></table>`;

  const sides = s.boundary
    ? `${agencyName(s.upstreamAgencyId)} / ${agencyName(s.downstreamAgencyId)}`
    : agencyName(s.downstreamAgencyId);
  const flags = [s.boundary ? t.boundary : '', s.drinkingWater ? t.drinking : ''].filter(Boolean).join(' · ');
  const origin = escapeHtml(options.origin);

  return `<!doctype html>
<html lang="${options.lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<title>${t.title} — ${name(s.name)}</title>
<link rel="stylesheet" href="${origin}/report.css">
</head>
<body class="report">
<header>
<h1>${t.title}</h1>
<table class="facts">
<tr><th>${t.section}</th><td>${name(s.name)} <span class="muted">(${escapeHtml(s.id)})</span>${flags ? ` — ${escapeHtml(flags)}` : ''}</td></tr>
<tr><th>${t.river}</th><td>${river ? name(river.name) : escapeHtml(s.riverId)} · ${escapeHtml(s.positionKm)} km</td></tr>
<tr><th>${t.period}</th><td>${when(report.range.fromMs, tzOffsetMin)} — ${when(report.range.toMs, tzOffsetMin)}</td></tr>
<tr><th>${t.target}</th><td>${classLabel(s.targetClass)}</td></tr>
<tr><th>${t.sides}</th><td>${sides}</td></tr>
<tr><th>${t.lead}</th><td>${lead ? name(lead.name) : '—'}</td></tr>
<tr><th>${t.generated}</th><td>${when(report.generatedAt, tzOffsetMin)}</td></tr>
</table>
</header>
<section>
<h2>${t.attainment}</h2>
${
  a.evaluated === 0
    ? `<p class="note">${t.noClass}</p>`
    : `<p class="summary"><span>${t.rate}: <strong>${pct(a.attainmentRate)}</strong></span><span>${t.evaluated}: ${a.evaluated} / ${a.periodHours}</span><span>${t.coverage}: ${pct(a.coverage)}</span></p>
<table class="classes"><thead><tr><th>${t.cls}</th><th>${t.hours}</th><th>${t.share}</th></tr></thead><tbody>${classRows}</tbody></table>`
}
</section>
<section>
<h2>${t.exceedances}</h2>
${
  exceeded.length === 0
    ? `<p>${t.noExceed}</p>`
    : `<table><thead><tr><th>${t.station}</th><th>${t.parameter}</th><th>${t.limit}</th><th>${t.exceedHours}</th><th>${t.worst}</th><th>${t.multiple}</th><th>${t.spanCol}</th></tr></thead><tbody>${exceeded.map(exceedRow).join('')}</tbody></table>`
}
${flagged.length > 0 ? `<p class="note">${t.flaggedNote} ${flagged.map((e) => `${escapeHtml(e.stationId)} ${escapeHtml(e.parameter)} ${e.flaggedHours} h`).join('; ')}</p>` : ''}
</section>
<section>
<h2>${t.alerts}</h2>
${alertsSection}
</section>
<section>
<h2>${t.tasks}</h2>
${tasksSection}
${report.truncated ? `<p class="note">${t.truncated}</p>` : ''}
</section>
<section class="signatures">
<h2>${t.signatures}</h2>
<div class="sign-row">
<div><span>${t.upstreamSign}</span><strong>${agencyName(s.upstreamAgencyId)}</strong><i></i></div>
<div><span>${t.downstreamSign}</span><strong>${agencyName(s.downstreamAgencyId)}</strong><i></i></div>
${lead ? `<div><span>${t.leadSign}</span><strong>${name(lead.name)}</strong><i></i></div>` : ''}
</div>
</section>
</body>
</html>
`;
}

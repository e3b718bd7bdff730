// The feedback labels are shared with the section report (api/reports/section-report-html.ts).
import FEEDBACK_LABELS from '../labels/feedback-labels.json' with { type: 'json' };

// Chinese by default, English on switch; the choice is kept in localStorage (it is no secret).
const STRINGS = {
  zh: {
    appTitle: '跨界水质预警与联合监测',
    logout: '退出',
    loginTitle: '监控中心登录',
    loginKey: '机构 API 密钥',
    loginButton: '登录',
    loginHint: '密钥只保存在本浏览器标签页中，关闭标签页即退出。',
    loginBad: '密钥无效或已吊销。',
    loginFailed: '无法连接服务器：',
    rivers: '河流断面（上游 → 下游）',
    alerts: '未解除预警',
    noAlerts: '当前无预警。',
    tasks: '联合监测任务',
    noTasks: '当前无进行中的联合监测任务。',
    stationCharts: '站点监测曲线',
    station: '站点',
    last24h: '近 24 小时',
    last7d: '近 7 天',
    exportCsv: '导出 CSV',
    openReport: '断面会商报告',
    live: '实时',
    reconnecting: '重新连接中…',
    offline: '连接中断',
    upstream: '上游',
    downstream: '下游',
    boundary: '交界',
    target: '目标',
    noData: '无数据',
    stale: '数据过时',
    ack: '确认',
    resolve: '解除',
    resolveReason: '解除原因',
    confirm: '提交',
    cancel: '取消',
    acknowledgedBy: '已确认',
    open: '未确认',
    acknowledged: '已确认',
    resolved: '已解除',
    hold: '后督察',
    closed: '已关闭',
    lead: '牵头',
    parties: '参与方',
    deadline: '到场时限',
    overdue: '已超时',
    remaining: '剩余',
    steps: '现场八步',
    escalated: '已上报',
    problems: '未销号问题',
    taskAlerts: '关联预警',
    section: '断面',
    limit: '目标限值',
    hourlyMeans: '小时均值',
    rawPoints: '原始数据',
    noReadings: '该时段无数据。',
    updated: '更新于',
    actionFailed: '操作失败：',
    levels: { blue: '蓝色预警', yellow: '黄色预警', orange: '橙色预警', red: '红色预警', none: '数据质量' },
    kinds: {
      'early-warning': '临界预警',
      exceedance: '超标',
      'sudden-change': '突变',
      trend: '趋势',
      'upstream-arrival': '上游来水预警',
      'data-quality': '数据质量',
      runoff: '降雨径流',
    },
    classes: { 1: 'Ⅰ类', 2: 'Ⅱ类', 3: 'Ⅲ类', 4: 'Ⅳ类', 5: 'Ⅴ类', 6: '劣Ⅴ类' },
    stepNames: ['定位签到', '出示证件', '核实信息', '现场检查', '制作笔录', '打印签字', '电子归档', '完成'],
    minutes: '分钟',
    hours: '小时',
    silences: '静默与维护窗口',
    noSilences: '当前无静默。',
    parameter: '指标',
    kind: '类型',
    allParameters: '全部指标',
    allKinds: '全部类型',
    wholeSection: '整个断面',
    from: '开始',
    to: '结束',
    silenceReason: '原因',
    silenceReasonHint: '如：仪器校准、站房维护',
    createSilence: '静默',
    endSilence: '结束静默',
    silenceHeld: '暂缓通知的预警：',
    'silence-created': '创建',
    'silence-changed': '修改',
    'silence-ended': '结束',
    weekly: '每周',
    weekdays: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'],
    silencedBy: '已静默',
    maintenance: '站点维护/校准中（数据标记 M/C）',
    history: '断面预警历史（近 30 天）',
    noHistory: '该断面近 30 天无预警。',
    feedbackLabel: '性质认定',
    exportFeedback: '导出认定记录 CSV',
    recordStep: '记录下一步',
    errors: {
      RW_UNAUTHORIZED: '密钥无效或已吊销，请重新登录。',
      RW_FORBIDDEN: '本机构无权操作该断面的内容；请联系该断面的上下游机构或其上级。',
      RW_NOT_FOUND: '对象不存在（可能已被删除），请刷新页面。',
      RW_INVALID_PAYLOAD: '输入有误：请检查各项（时间先后、原因、站点是否属于该断面）后重试。',
      RW_SILENCE_ENDED: '该静默已结束；如需继续静默，请新建。',
      RW_ALERT_RESOLVED: '该预警已解除。',
      RW_TASK_CLOSED: '该任务已关闭。',
      RW_TASK_STEP_ORDER: '步骤顺序不对或已记录，请刷新后按顺序记录下一步。',
      RW_TASK_NOT_PARTY: '该机构不是此任务的参与方。',
      RW_RATE_LIMITED: '请求过于频繁，请稍后再试。',
    },
    unacked: '未确认',
    doubtful: '存疑',
    inhibitedBy: '同一情况已由断面预警通知，本条暂不单独通知',
    flapping: '反复触发',
    doubtReasons: { offline: '站点离线', 'fault-flags': '站点报告故障标记', 'flat-line': '读数长时间不变', spikes: '读数异常尖峰' },
    remindAgain: '再次通知',
    escalatesTo: '上报',
    stepTime: '时间',
    stepActor: '执行人',
    stepNote: '说明',
    lat: '纬度',
    lon: '经度',
    noLabel: FEEDBACK_LABELS.zh.unlabelled,
    save: '保存',
    labels: FEEDBACK_LABELS.zh,
  },
  en: {
    appTitle: 'Cross-boundary water-quality warning and joint monitoring',
    logout: 'Log out',
    loginTitle: 'Monitoring centre login',
    loginKey: 'Agency API key',
    loginButton: 'Log in',
    loginHint: 'The key stays in this browser tab only; closing the tab logs out.',
    loginBad: 'The key is unknown or revoked.',
    loginFailed: 'Cannot reach the server: ',
    rivers: 'Rivers and sections (upstream → downstream)',
    alerts: 'Active alerts',
    noAlerts: 'No active alerts.',
    tasks: 'Joint-monitoring tasks',
    noTasks: 'No joint-monitoring task in progress.',
    stationCharts: 'Station charts',
    station: 'Station',
    last24h: 'Last 24 h',
    last7d: 'Last 7 days',
    exportCsv: 'Export CSV',
    openReport: 'Section report',
    live: 'live',
    reconnecting: 'reconnecting…',
    offline: 'disconnected',
    upstream: 'upstream',
    downstream: 'downstream',
    boundary: 'boundary',
    target: 'target',
    noData: 'no data',
    stale: 'stale',
    ack: 'Acknowledge',
    resolve: 'Resolve',
    resolveReason: 'Reason for resolving',
    confirm: 'Submit',
    cancel: 'Cancel',
    acknowledgedBy: 'acknowledged',
    open: 'open',
    acknowledged: 'acknowledged',
    resolved: 'resolved',
    hold: 'post-supervision',
    closed: 'closed',
    lead: 'lead',
    parties: 'Parties',
    deadline: 'On site by',
    overdue: 'overdue',
    remaining: 'left',
    steps: 'On-site steps',
    escalated: 'escalated',
    problems: 'open problems',
    taskAlerts: 'alerts',
    section: 'Section',
    limit: 'target limit',
    hourlyMeans: 'hourly means',
    rawPoints: 'raw readings',
    noReadings: 'No readings in this period.',
    updated: 'updated',
    actionFailed: 'Action failed: ',
    levels: { blue: 'Blue', yellow: 'Yellow', orange: 'Orange', red: 'Red', none: 'Data quality' },
    kinds: {
      'early-warning': 'early warning',
      exceedance: 'exceedance',
      'sudden-change': 'sudden change',
      trend: 'trend',
      'upstream-arrival': 'upstream arrival',
      'data-quality': 'data quality',
      runoff: 'rain runoff',
    },
    classes: { 1: 'I', 2: 'II', 3: 'III', 4: 'IV', 5: 'V', 6: 'worse than V' },
    stepNames: [
      'Locate and sign in',
      'Show credentials',
      'Verify information',
      'Inspect',
      'Make the record',
      'Print and sign',
      'File electronically',
      'Complete',
    ],
    minutes: 'min',
    hours: 'h',
    silences: 'Silences and maintenance windows',
    noSilences: 'No silence in force.',
    parameter: 'Parameter',
    kind: 'Kind',
    allParameters: 'all parameters',
    allKinds: 'all kinds',
    wholeSection: 'whole section',
    from: 'From',
    to: 'To',
    silenceReason: 'Reason',
    silenceReasonHint: 'e.g. analyser calibration',
    createSilence: 'Silence',
    endSilence: 'End silence',
    silenceHeld: 'alerts held back:',
    'silence-created': 'created',
    'silence-changed': 'changed',
    'silence-ended': 'ended',
    weekly: 'weekly',
    weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
    silencedBy: 'silenced',
    maintenance: 'station in maintenance/calibration (flags M/C)',
    history: 'Section alert history (last 30 days)',
    noHistory: 'No alert at this section in the last 30 days.',
    feedbackLabel: 'What it was',
    exportFeedback: 'Export labels (CSV)',
    recordStep: 'Record next step',
    errors: {
      RW_UNAUTHORIZED: 'The key is unknown or revoked; log in again.',
      RW_FORBIDDEN: 'Your agency may not act on this section; ask one of its agencies or their superior.',
      RW_NOT_FOUND: 'Not found (it may have been removed); reload the page.',
      RW_INVALID_PAYLOAD: 'Check the fields (times in order, a reason, a station of that section) and try again.',
      RW_SILENCE_ENDED: 'This silence has ended; create a new one to silence again.',
      RW_ALERT_RESOLVED: 'This alert is already resolved.',
      RW_TASK_CLOSED: 'This task is closed.',
      RW_TASK_STEP_ORDER: 'That step is out of order or already recorded; reload and record the next one.',
      RW_TASK_NOT_PARTY: 'That agency is not a party of this task.',
      RW_RATE_LIMITED: 'Too many requests; try again in a moment.',
    },
    unacked: 'not acknowledged',
    doubtful: 'doubtful',
    inhibitedBy: 'already notified as the section’s alert; not notified on its own',
    flapping: 'flapping',
    doubtReasons: { offline: 'station offline', 'fault-flags': 'station reports fault flags', 'flat-line': 'readings stuck', spikes: 'implausible spikes' },
    remindAgain: 'reminder',
    escalatesTo: 'escalates to',
    stepTime: 'Time',
    stepActor: 'Done by',
    stepNote: 'Note',
    lat: 'Latitude',
    lon: 'Longitude',
    noLabel: FEEDBACK_LABELS.en.unlabelled,
    save: 'Save',
    labels: FEEDBACK_LABELS.en,
  },
};

let lang = window.localStorage.getItem('rw.lang') === 'en' ? 'en' : 'zh';

export function currentLang() {
  return lang;
}

/** The string for a key in the current language (the key itself when missing). */
export function t(key) {
  return STRINGS[lang][key] ?? key;
}

/** A failed action in the page's language, saying what to do; the server's English message only for an unknown code. */
export function failureText(err) {
  return `${t('actionFailed')}${t('errors')[err?.code] ?? err?.message ?? ''}`;
}

/** Name of a bilingual registry object ({ zh, en }). */
export function nameOf(named) {
  return named ? (named[lang] ?? named.zh ?? '') : '';
}

export function setLang(next) {
  lang = next === 'en' ? 'en' : 'zh';
  window.localStorage.setItem('rw.lang', lang);
  applyStatic();
}

/** Translates every element with data-i18n, and the page language and title. */
export function applyStatic() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = `RiverWatch ${t('appTitle')}`;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  const sw = document.getElementById('lang-switch');
  sw.textContent = lang === 'zh' ? 'English' : '中文';
  sw.lang = lang === 'zh' ? 'en' : 'zh-CN';
}

/** Sections' local time: every section in the registry is in China (one zone, no daylight saving). */
export const TIME_ZONE = 'Asia/Shanghai';

const timeOptions = { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hour12: false };
const dateFormat = {
  zh: new Intl.DateTimeFormat('zh-CN', { ...timeOptions, month: '2-digit', day: '2-digit' }),
  en: new Intl.DateTimeFormat('en-GB', { ...timeOptions, month: 'short', day: '2-digit' }),
};
const clockFormat = new Intl.DateTimeFormat('en-GB', timeOptions);
const dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, month: '2-digit', day: '2-digit' });

/** Axis labels in the section's time: "14:05" for a day, "12-06" (month-day) for a week. */
export function formatAxis(ms, byDay) {
  if (!byDay) return clockFormat.format(new Date(ms));
  const parts = Object.fromEntries(dayFormat.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return `${parts.month}-${parts.day}`;
}

export function formatTime(ms) {
  return ms === undefined || ms === null ? '—' : dateFormat[lang].format(new Date(ms));
}

/** "3 h 12 min" style duration. */
export function formatDuration(ms) {
  const minutes = Math.max(0, Math.round(ms / 60000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? `${h} ${t('hours')} ${m} ${t('minutes')}` : `${m} ${t('minutes')}`;
}

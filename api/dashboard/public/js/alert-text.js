// An alert's sentence in the page's language, built from its structured fields (kind, key, parameters, evidence,
// arrival) with section and station names and times in the section's local time (issue 15 §6). The English
// `message` analytics writes is for logs and webhooks; it is shown only for a kind this page does not know.
import { currentLang, formatTime, nameOf } from './i18n.js';

const FLAG_NAMES = {
  zh: { N: '正常', F: '停运', M: '维护', S: '手工输入', D: '故障', C: '校准', T: '超量程', B: '通讯异常' },
  en: { N: 'normal', F: 'stopped', M: 'maintenance', S: 'manual', D: 'fault', C: 'calibration', T: 'above range', B: 'link error' },
};

const CLASS = { zh: ['', 'Ⅰ', 'Ⅱ', 'Ⅲ', 'Ⅳ', 'Ⅴ', '劣Ⅴ'], en: ['', 'I', 'II', 'III', 'IV', 'V', 'worse than V'] };

function num(x) {
  return typeof x === 'number' && Number.isFinite(x) ? String(Math.round(x * 1000) / 1000) : '?';
}

/** Names and units the sentences need, looked up in the loaded registry. */
function lookup(state) {
  const lang = currentLang();
  const param = (key) => {
    const spec = state.parameters.get(key);
    return spec ? nameOf({ zh: spec.nameZh, en: spec.nameEn }) : key;
  };
  const unit = (key) => {
    const u = state.parameters.get(key)?.unit;
    return u ? (lang === 'zh' ? u : ` ${u}`) : '';
  };
  const section = (id) => (state.sections.get(id) ? nameOf(state.sections.get(id).name) : id);
  const station = (id) => {
    const st = id ? state.stations.get(id) : undefined;
    return st ? nameOf(st.name) || st.id : (id ?? '');
  };
  return { lang, param, unit, section, station, list: (keys) => keys.map(param).join(lang === 'zh' ? '、' : ', ') };
}

const SENTENCES = {
  exceedance(a, n) {
    const p = a.parameters[0] ?? '';
    const value = a.evidence?.values?.[p];
    const limit = a.evidence?.limit?.[p];
    const target = CLASS[n.lang][a.evidence?.targetClass] ?? '';
    const early = a.kind === 'early-warning';
    const suspect = a.evidence?.unconfirmed === true ? a.evidence.suspect : undefined;
    if (suspect)
      // Issue 13 §4: one reading past the target, waiting for its verification measurement.
      return n.lang === 'zh'
        ? `${n.station(a.stationId)}${n.param(p)}单次读数 ${num(suspect.value)}${n.unit(p)} 超过${target}类目标限值 ${num(limit)}${n.unit(p)}，待复测确认（${formatTime(a.evidence?.verify?.deadlineTs)} 前）`
        : `One reading of ${n.param(p)} at ${n.station(a.stationId)}, ${num(suspect.value)}${n.unit(p)}, above the class ${target} target limit ${num(limit)}${n.unit(p)}: unconfirmed, re-measurement requested by ${formatTime(a.evidence?.verify?.deadlineTs)}`;
    return n.lang === 'zh'
      ? `${n.station(a.stationId)}${n.param(p)} ${num(value)}${n.unit(p)}，${early ? '接近' : '超过'}${target}类目标限值 ${num(limit)}${n.unit(p)}`
      : `${n.param(p)} ${num(value)}${n.unit(p)} at ${n.station(a.stationId)}: ${early ? 'approaching' : 'above'} the class ${target} target limit ${num(limit)}${n.unit(p)}`;
  },
  trend(a, n) {
    const p = a.parameters[0] ?? '';
    const at = a.evidence?.projectedCrossingTs;
    return n.lang === 'zh'
      ? `${n.station(a.stationId)}${n.param(p)}呈显著趋势，逼近目标限值${at ? `，预计 ${formatTime(at)} 越过` : ''}`
      : `${n.param(p)} at ${n.station(a.stationId)} is trending significantly towards the target limit${at ? `, projected to cross it at ${formatTime(at)}` : ''}`;
  },
  'sudden-change'(a, n) {
    return n.lang === 'zh'
      ? `${n.station(a.stationId)}：${n.list(a.parameters) || '多项指标'}同时突变`
      : `Sudden change at ${n.station(a.stationId)}: ${n.list(a.parameters) || 'several signals'} moving together`;
  },
  runoff(a, n) {
    // Issue 13 §3: the rain pattern, not a pollution alarm.
    return n.lang === 'zh'
      ? `${n.station(a.stationId)}：浊度升高、电导率被稀释，符合降雨径流特征（非污染预警）`
      : `Runoff at ${n.station(a.stationId)}: turbidity up and conductivity diluted, the pattern of rain (not a pollution alarm)`;
  },
  'upstream-arrival'(a, n) {
    const w = a.arrival;
    const origin = n.section(w?.originSectionId ?? a.evidence?.originSectionId);
    if (!w)
      return n.lang === 'zh'
        ? `上游${origin}预警（${n.list(a.parameters)}），污染团可能到达${n.section(a.sectionId)}`
        : `Upstream alert at ${origin} (${n.list(a.parameters)}) may reach ${n.section(a.sectionId)}`;
    return n.lang === 'zh'
      ? `上游${origin}预警（${n.list(a.parameters)}），预计 ${formatTime(w.fromTs)} 至 ${formatTime(w.toTs)} 到达${n.section(a.sectionId)}，峰值约 ${formatTime(w.peakTs)}`
      : `Upstream alert at ${origin} (${n.list(a.parameters)}) expected at ${n.section(a.sectionId)} from ${formatTime(w.fromTs)} to ${formatTime(w.toTs)}, peak about ${formatTime(w.peakTs)}`;
  },
  'data-quality'(a, n) {
    const st = n.station(a.stationId);
    const p = a.parameters[0] ?? '';
    const ev = a.evidence ?? {};
    const type = a.key.split(':')[0];
    if (type === 'dq-offline') return n.lang === 'zh' ? `${st}离线，未收到数据` : `${st} is offline: no readings received`;
    if (type === 'dq-flag') {
      const flags = Object.entries(ev.flags ?? {}).map(([k, f]) => `${n.param(k)}：${FLAG_NAMES[n.lang][f] ?? f}`);
      return n.lang === 'zh' ? `${st}报告数据标记：${flags.join('、')}` : `${st} reports data flags: ${flags.join(', ').replaceAll('：', ': ')}`;
    }
    if (type === 'dq-flat')
      return n.lang === 'zh'
        ? `${st}${n.param(p)}读数自 ${formatTime(ev.runStartTs)} 起恒定为 ${num(ev.values?.[p])}${n.unit(p)}`
        : `${n.param(p)} at ${st} stuck at ${num(ev.values?.[p])}${n.unit(p)} since ${formatTime(ev.runStartTs)}`;
    if (type === 'dq-spike')
      return n.lang === 'zh'
        ? `${st}${n.param(p)}出现 ${ev.spikes ?? '?'} 次异常尖峰（最近 ${num(ev.values?.[p])}${n.unit(p)}）`
        : `${n.param(p)} at ${st}: ${ev.spikes ?? '?'} implausible spikes (latest ${num(ev.values?.[p])}${n.unit(p)})`;
    if (type === 'dq-drift')
      return n.lang === 'zh'
        ? `${st}${n.param(p)}读数相对本断面其他站点漂移（偏差 ${num(ev.offset)}，原为 ${num(ev.refOffset)}），请检查传感器`
        : `${n.param(p)} at ${st} drifts away from the section's other stations (offset ${num(ev.offset)}, was ${num(ev.refOffset)}): check the sensor`;
    return n.lang === 'zh' ? `${st}数据质量异常` : `Data-quality problem at ${st}`;
  },
};
SENTENCES['early-warning'] = SENTENCES.exceedance;

/** The alert's text in the current language. */
export function alertText(alert, state) {
  const sentence = SENTENCES[alert.kind];
  return sentence ? sentence(alert, lookup(state)) : alert.message;
}

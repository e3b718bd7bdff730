export { buildSectionReport, type AlertsReader, type SectionReport } from './section-report.js';
export { renderSectionReport, type ReportLang } from './section-report-html.js';
export { csvHeader, csvRows } from './csv.js';

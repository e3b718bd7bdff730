/**
 * Downloads and reports of a dashboard session (main.js): the shown
 * station's readings as CSV, the section's labelled alerts as CSV, and the
 * printable section report in a new window.
 */
import { currentLang, failureText } from './i18n.js';

/** Saves a blob under a file name through a temporary link. */
function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export async function exportCsv(session) {
  const id = session.state.stationId;
  if (!id) return;
  const now = Date.now();
  const from = now - (session.state.range === '7d' ? 7 : 1) * 24 * 3600000;
  try {
    const blob = await session.api.blob(`/api/v1/stations/${encodeURIComponent(id)}/readings.csv?from=${from}&to=${now}`);
    save(blob, `${id}.csv`);
  } catch (err) {
    window.alert(failureText(err));
  }
}

/** The labelled alerts of the shown section (last 90 days) as CSV, names in the page's language. */
export async function exportFeedback(session) {
  const sectionId = session.state.stations.get(session.state.stationId)?.sectionId;
  if (!sectionId) return;
  try {
    const blob = await session.api.blob(`/api/v1/feedback?format=csv&section=${encodeURIComponent(sectionId)}&lang=${currentLang()}`);
    save(blob, `${sectionId}-alert-feedback.csv`);
  } catch (err) {
    window.alert(failureText(err));
  }
}

export async function openReport(session) {
  const station = session.state.stations.get(session.state.stationId);
  if (!station) return;
  // Open the window within the click (popup blockers), fill it when the report arrives.
  const win = window.open('', '_blank');
  try {
    const blob = await session.api.blob(`/api/v1/sections/${encodeURIComponent(station.sectionId)}/report?lang=${currentLang()}`);
    const url = URL.createObjectURL(blob);
    if (win) win.location.href = url;
    else window.location.assign(url);
  } catch (err) {
    win?.close();
    window.alert(failureText(err));
  }
}

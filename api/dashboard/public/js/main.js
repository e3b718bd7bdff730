// The monitoring-centre dashboard: log in with an agency key (kept in sessionStorage), load what the key may see,
// then stay current over the live event stream. No framework, no build step.
import { ApiError, createApi } from './api.js';
import { renderAlerts } from './alerts-view.js';
import { applyStatic, currentLang, failureText, nameOf, setLang, t } from './i18n.js';
import { connectLive } from './live.js';
import { renderClassLegend, renderRivers } from './river-view.js';
import { parseLabel, renderHistory } from './history-view.js';
import { alertActions, silenceActions, taskActions } from './desk-actions.js';
import { emptyState, upsert } from './state.js';
import { exportCsv, exportFeedback, openReport } from './downloads.js';
import { renderSilences } from './silences-view.js';
import { StationPanel } from './station-view.js';
import { renderTasks } from './tasks-view.js';
import { isTransferEvent, TransfersPanel } from './transfers-view.js';

const KEY_STORAGE = 'rw.key';
const $ = (id) => document.getElementById(id);

let session;

function showLogin(message) {
  $('app-view').hidden = true;
  $('logout').hidden = true;
  $('agency-name').hidden = true;
  $('live-state').hidden = true;
  $('login-view').hidden = false;
  const error = $('login-error');
  error.hidden = !message;
  error.textContent = message ?? '';
  $('login-key').focus();
}

function setLiveState(value) {
  const el = $('live-state');
  el.hidden = false;
  el.dataset.state = value;
  el.textContent = t(value);
}

class Session {
  constructor(key) {
    this.api = createApi(key);
    this.state = emptyState();
    this.frame = 0;
    this.live = undefined;
    this.tick = undefined;
    this.panel = new StationPanel({ chartsEl: $('charts'), metaEl: $('station-meta'), api: this.api });
    const els = { list: $('transfers'), count: $('transfers-count'), empty: $('transfers-empty'), form: $('transfer-form'), title: $('transfers-title') };
    this.transfers = new TransfersPanel({ api: this.api, els, onChange: () => this.render() });
  }

  /** Checks the key; false when the server says it is not valid. */
  async start() {
    try {
      this.state.me = await this.api.get('/api/v1/me');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return false;
      throw err;
    }
    $('login-view').hidden = true;
    $('app-view').hidden = false;
    $('logout').hidden = false;
    const agencyEl = $('agency-name');
    agencyEl.hidden = false;
    agencyEl.textContent = nameOf(this.state.me.agency.name);
    // Stream first, then fetch: events that arrive meanwhile are merged by updatedAt, so nothing falls between.
    this.live = connectLive({
      url: () => this.api.eventsUrl(),
      onEvent: (type, event) => this.onEvent(type, event),
      onState: setLiveState,
      onResync: () => this.refresh(),
      checkKey: () =>
        this.api.get('/api/v1/me').then(
          () => true,
          (err) => (err instanceof ApiError && err.status === 401 ? false : undefined),
        ),
      onKeyLost: () => logout(t('loginBad')),
    });
    await this.loadRegistry();
    await this.refresh();
    // The deadline countdowns follow the clock; this redraws, it fetches nothing.
    // A receiver may not see the section of what it received, so its live stream does not carry the transfer: poll it too.
    this.tick = window.setInterval(() => {
      this.render();
      this.transfers.refresh().catch(() => undefined);
    }, 30000);
    return true;
  }

  stop() {
    this.live?.close();
    window.clearInterval(this.tick);
    this.panel.destroy();
  }

  async loadRegistry() {
    const s = this.state;
    const [rivers, sections, stations, parameters] = await Promise.all([
      this.api.get('/api/v1/rivers?limit=1000'),
      this.api.get('/api/v1/sections?limit=1000'),
      this.api.get('/api/v1/stations?limit=1000'),
      this.api.get('/api/v1/parameters'),
    ]);
    s.rivers = rivers.items;
    for (const section of sections.items) {
      s.sections.set(section.id, section);
      for (const agency of [section.upstreamAgency, section.downstreamAgency, section.leadAgency])
        if (agency) s.agencies.set(agency.id, agency);
    }
    s.agencies.set(s.me.agency.id, s.me.agency);
    for (const station of stations.items) s.stations.set(station.id, station);
    for (const p of parameters.items) s.parameters.set(p.key, p);
    s.stationId = stations.items[0]?.id;
    this.fillStationSelect();
    void this.showStation();
  }

  /** (Re)loads what changes: section status, alerts, tasks. Called at start and after every reconnect. */
  async refresh() {
    const s = this.state;
    const [latest, alerts, tasks] = await Promise.all([
      this.api.get('/api/v1/latest'),
      this.api.get('/api/v1/alerts?status=open,acknowledged&limit=500'),
      this.api.get('/api/v1/tasks?status=open,hold&limit=500'),
    ]);
    for (const status of latest.sections) s.status.set(status.sectionId, status);
    // A fetch is the whole truth at its time: drop alerts/tasks it no longer lists unless an event updated them since.
    const alertIds = new Set(alerts.items.map((a) => a.id));
    for (const [id, a] of s.alerts) if (!alertIds.has(id) && a.updatedAt <= latest.at) s.alerts.delete(id);
    for (const alert of alerts.items) upsert(s.alerts, alert);
    const taskIds = new Set(tasks.items.map((x) => x.id));
    for (const [id, x] of s.tasks) if (!taskIds.has(id) && x.updatedAt <= latest.at) s.tasks.delete(id);
    for (const task of tasks.items) upsert(s.tasks, task);
    await this.transfers.refresh();
    await this.refreshSilences();
  }

  /** Silences in force and the alerts they hold back (greyed in the list); who is told next about open alerts. */
  async refreshSilences() {
    const s = this.state;
    const [silences, held, escalations] = await Promise.all([
      this.api.get('/api/v1/silences?state=active'),
      this.api.get('/api/v1/silenced-alerts'),
      this.api.get('/api/v1/alert-escalations'),
    ]);
    s.silences = new Map(silences.items.map((x) => [x.id, x]));
    s.silencedAlerts = new Map(held.items.map((x) => [x.alertId, x]));
    s.escalations = new Map(escalations.items.map((x) => [x.alertId, x]));
    this.render();
  }

  async refreshStatus() {
    const latest = await this.api.get('/api/v1/latest');
    for (const status of latest.sections) this.state.status.set(status.sectionId, status);
    this.render();
  }

  onEvent(type, event) {
    const s = this.state;
    if (isTransferEvent(event)) this.transfers.refresh().catch(() => undefined);
    if (type === 'alert' && event.alert) {
      const isNew = !s.alerts.has(event.alert.id) && event.alert.status !== 'resolved';
      upsert(s.alerts, event.alert);
      if (isNew) {
        s.fresh.add(event.alert.id);
        setTimeout(() => {
          s.fresh.delete(event.alert.id);
          this.render();
        }, 8000);
      }
      // An alert means the water changed: bring the section colours (and the open chart) up to date once.
      clearTimeout(this.statusTimer);
      this.statusTimer = setTimeout(() => {
        this.refreshStatus().catch(() => undefined);
        this.refreshSilences().catch(() => undefined);
        this.refreshHistory().catch(() => undefined);
        const station = s.stations.get(s.stationId);
        if (station && station.sectionId === event.alert.sectionId) void this.showStation();
      }, 1000);
    } else if (type === 'task' && event.task) {
      upsert(s.tasks, event.task);
    }
    this.render();
  }

  /** Renders on the next frame; a burst of events costs one render. */
  render() {
    if (this.frame) return;
    this.frame = window.requestAnimationFrame(() => {
      this.frame = 0;
      const s = this.state;
      s.nowMs = Date.now();
      renderRivers($('rivers'), s, currentLang(), (sectionId) => this.selectSection(sectionId));
      renderAlerts($('alerts'), $('alerts-empty'), $('alerts-count'), s, alertActions(this));
      this.transfers.render(s);
      renderTasks($('tasks'), $('tasks-empty'), $('tasks-count'), s, taskActions(this));
      renderSilences($('silence-form'), $('silences'), $('silences-empty'), $('silences-count'), s, silenceActions(this));
      renderHistory($('history-title'), $('history'), $('history-empty'), s, {
        label: (alertId, value) =>
          this.api
            .post(`/api/v1/alerts/${encodeURIComponent(alertId)}/feedback`, parseLabel(value))
            .then(() => this.refreshHistory())
            .catch((err) => window.alert(failureText(err))),
      });
      const active = [...s.alerts.values()].filter((a) => a.status === 'open').length;
      document.title = `${active > 0 ? `(${active}) ` : ''}RiverWatch ${t('appTitle')}`;
    });
  }

  fillStationSelect() {
    const s = this.state;
    const select = $('station-select');
    select.replaceChildren();
    for (const river of s.rivers) {
      for (const sectionId of river.sectionIds) {
        const section = s.sections.get(sectionId);
        if (!section || section.stationIds.length === 0) continue;
        const group = document.createElement('optgroup');
        group.label = `${nameOf(river.name)} · ${nameOf(section.name)}`;
        for (const stationId of section.stationIds) {
          const station = s.stations.get(stationId);
          if (!station) continue;
          const option = document.createElement('option');
          option.value = station.id;
          option.textContent = `${station.id} ${nameOf(station.name)}`;
          group.append(option);
        }
        select.append(group);
      }
    }
    if (s.stationId) select.value = s.stationId;
  }

  selectSection(sectionId) {
    const station = this.state.sections.get(sectionId)?.stationIds[0];
    if (!station) return;
    this.state.stationId = station;
    $('station-select').value = station;
    void this.showStation();
    $('station-title').scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  showStation() {
    for (const b of document.querySelectorAll('[data-range]')) b.classList.toggle('active', b.dataset.range === this.state.range);
    void this.refreshHistory().catch(() => undefined);
    return this.panel.show(this.state, this.state.stationId, this.state.range);
  }

  /** The alert history (with feedback labels) of the shown station's section. */
  async refreshHistory() {
    const sectionId = this.state.stations.get(this.state.stationId)?.sectionId;
    if (!sectionId) return;
    const history = await this.api.get(`/api/v1/sections/${encodeURIComponent(sectionId)}/alert-history?limit=100`);
    // A newer station choice may have been made while this loaded.
    if (this.state.stations.get(this.state.stationId)?.sectionId !== sectionId) return;
    this.state.history = { sectionId, items: history.items };
    this.render();
  }

  onLanguage() {
    $('agency-name').textContent = nameOf(this.state.me.agency.name);
    renderClassLegend($('class-legend'));
    this.fillStationSelect();
    this.render();
    void this.showStation();
  }
}

async function login(key) {
  session?.stop();
  session = new Session(key);
  let ok;
  try {
    ok = await session.start();
  } catch (err) {
    session.stop();
    session = undefined;
    showLogin(`${t('loginFailed')}${err.message}`);
    return;
  }
  if (!ok) {
    session.stop();
    session = undefined;
    window.sessionStorage.removeItem(KEY_STORAGE);
    showLogin(t('loginBad'));
    return;
  }
  window.sessionStorage.setItem(KEY_STORAGE, key);
}

function logout(message) {
  session?.stop();
  session = undefined;
  window.sessionStorage.removeItem(KEY_STORAGE);
  $('login-key').value = '';
  showLogin(message);
}

function boot() {
  applyStatic();
  renderClassLegend($('class-legend'));
  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const key = $('login-key').value.trim();
    if (key) void login(key);
  });
  $('logout').addEventListener('click', () => logout());
  $('lang-switch').addEventListener('click', () => {
    setLang(currentLang() === 'zh' ? 'en' : 'zh');
    renderClassLegend($('class-legend'));
    if (session) {
      setLiveState($('live-state').dataset.state ?? 'live');
      session.onLanguage();
    }
  });
  $('station-select').addEventListener('change', (e) => {
    if (!session) return;
    session.state.stationId = e.target.value;
    void session.showStation();
  });
  for (const button of document.querySelectorAll('[data-range]')) {
    button.addEventListener('click', () => {
      if (!session) return;
      session.state.range = button.dataset.range;
      void session.showStation();
    });
  }
  $('export-csv').addEventListener('click', () => session && exportCsv(session));
  $('open-report').addEventListener('click', () => session && openReport(session));
  $('export-feedback').addEventListener('click', () => session && exportFeedback(session));
  const key = window.sessionStorage.getItem(KEY_STORAGE);
  if (key) void login(key);
  else showLogin();
}

boot();

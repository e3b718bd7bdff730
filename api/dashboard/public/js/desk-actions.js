/**
 * What the operator's buttons on the alert, task and silence lists do
 * (acknowledge, resolve with a label, record an on-site step, create and end
 * a silence), for a dashboard session (main.js): call the API, fold the
 * answer into the session's state, render again; a failure is shown in the
 * page's language.
 */
import { failureText } from './i18n.js';
import { parseLabel } from './history-view.js';
import { taskSummary, upsert } from './state.js';

export function alertActions(session) {
  const s = session.state;
  const act = async (fn) => {
    try {
      const alert = await fn();
      upsert(s.alerts, alert);
      void session.refreshSilences().catch(() => undefined);
    } catch (err) {
      window.alert(failureText(err));
    }
    session.render();
  };
  return {
    acknowledge: (id) => act(() => session.api.post(`/api/v1/alerts/${encodeURIComponent(id)}/ack`, {})),
    resolve: (id, reason, label) =>
      act(async () => {
        const alert = await session.api.post(`/api/v1/alerts/${encodeURIComponent(id)}/resolve`, { reason });
        s.resolving.delete(id);
        s.resolvingLabel.delete(id);
        if (label) await session.api.post(`/api/v1/alerts/${encodeURIComponent(id)}/feedback`, parseLabel(label));
        void session.refreshHistory();
        return alert;
      }),
    toggleResolve: (id) => {
      if (s.resolving.has(id)) s.resolving.delete(id);
      else s.resolving.set(id, '');
      session.render();
    },
    select: (sectionId) => session.selectSection(sectionId),
  };
}

export function taskActions(session) {
  const s = session.state;
  return {
    select: (id) => session.selectSection(id),
    toggleStep: (taskId, party, draft) => {
      const key = `${taskId}|${party}`;
      if (draft) s.stepDrafts.set(key, draft);
      else s.stepDrafts.delete(key);
      session.render();
    },
    recordStep: async (taskId, body) => {
      try {
        const task = await session.api.post(`/api/v1/tasks/${encodeURIComponent(taskId)}/steps`, body);
        s.stepDrafts.delete(`${taskId}|${body.party}`);
        upsert(s.tasks, taskSummary(task));
      } catch (err) {
        window.alert(failureText(err));
      }
      session.render();
    },
  };
}

export function silenceActions(session) {
  return {
    create: async (body) => {
      try {
        await session.api.post('/api/v1/silences', body);
        await session.refreshSilences();
        return true;
      } catch (err) {
        window.alert(failureText(err));
        return false;
      }
    },
    end: async (id) => {
      try {
        await session.api.post(`/api/v1/silences/${encodeURIComponent(id)}/end`, {});
        await session.refreshSilences();
      } catch (err) {
        window.alert(failureText(err));
      }
    },
  };
}

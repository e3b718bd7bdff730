// The live event stream (SSE): alert and task transitions as they happen, no polling.
// EventSource reconnects by itself after a dropped connection and sends Last-Event-ID, so the server replays what was
// missed; after any reconnect we also re-fetch the state (belt and braces: the log may have been trimmed meanwhile).
// When the server answers with an error status, EventSource gives up for good: then we check the key (401 = logged
// out) and open a new stream ourselves with a growing delay, resuming from the last event id we saw.

export function connectLive({ url, onEvent, onState, onResync, checkKey, onKeyLost }) {
  let source;
  let timer;
  let stopped = false;
  let dropped = false;
  let retryMs = 2000;
  let lastEventId;

  const handle = (type) => (e) => {
    if (e.lastEventId) lastEventId = e.lastEventId;
    let data;
    try {
      data = JSON.parse(e.data);
    } catch {
      return;
    }
    onEvent(type, data);
  };

  function open() {
    if (stopped) return;
    const base = url();
    source = new window.EventSource(lastEventId ? `${base}&lastEventId=${encodeURIComponent(lastEventId)}` : base);
    source.addEventListener('open', () => {
      onState('live');
      retryMs = 2000;
      if (dropped) {
        dropped = false;
        onResync();
      }
    });
    source.addEventListener('alert', handle('alert'));
    source.addEventListener('task', handle('task'));
    source.addEventListener('error', () => {
      if (stopped) return;
      dropped = true;
      if (source.readyState !== window.EventSource.CLOSED) {
        onState('reconnecting');
        return;
      }
      onState('offline');
      source.close();
      checkKey().then(
        (valid) => {
          if (stopped) return;
          if (valid === false) {
            onKeyLost();
            return;
          }
          timer = setTimeout(open, retryMs);
          retryMs = Math.min(retryMs * 2, 30000);
        },
        () => undefined,
      );
    });
  }

  open();
  return {
    close() {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    },
  };
}

// The API as the dashboard uses it: JSON over fetch with the agency key, errors in the one shape { error: { code, message } }.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function createApi(key) {
  const headers = { authorization: `Bearer ${key}` };

  async function request(method, path, body) {
    const init = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (!response.ok) {
      let code = 'RW_HTTP';
      let message = `HTTP ${response.status}`;
      try {
        const json = await response.json();
        code = json.error?.code ?? code;
        message = json.error?.message ?? message;
      } catch {
        // Not our error shape (a proxy's page); keep the status.
      }
      throw new ApiError(response.status, code, message);
    }
    return response;
  }

  return {
    get: async (path) => (await request('GET', path)).json(),
    post: async (path, body) => (await request('POST', path, body ?? {})).json(),
    /** The raw response body as a Blob (CSV, report HTML). */
    blob: async (path) => (await request('GET', path)).blob(),
    /** URL of the live event stream; EventSource cannot send headers, so the key goes in the query (the events route alone accepts it). */
    eventsUrl: () => `/api/v1/events?key=${encodeURIComponent(key)}`,
  };
}

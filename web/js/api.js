// The page's only way to the server: the JSON API under /api. Every error the
// API answers names the field at fault ({"error": {"field", "reason",
// "issues"}}); an ApiError keeps them so the page can show each at its field.

export class ApiError extends Error {
  /** @param {number} status @param {{field: string|null, reason: string}[]} issues */
  constructor(status, issues) {
    super(issues.map((i) => (i.field ? `${i.field}: ${i.reason}` : i.reason)).join("; "));
    this.status = status;
    this.issues = issues;
  }
}

async function answer(res) {
  const type = res.headers.get("content-type") ?? "";
  const body = type.startsWith("application/json") ? await res.json() : await res.text();
  if (res.ok) return body;
  const issues = body?.error?.issues ?? [{ field: null, reason: typeof body === "string" && body ? body : `HTTP ${res.status}` }];
  throw new ApiError(res.status, issues);
}

/** GET a JSON (or text) resource. */
export const get = (path, init) => fetch(path, init).then(answer);

/** POST a JSON body. */
export const post = (path, body) => fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(answer);

export const del = (path) => fetch(path, { method: "DELETE" }).then(answer);

/** A query string from the defined values of an object. */
export const query = (params) =>
  new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "")).toString();

/** Whether a run is still queued or running. */
export const underWay = (s) => s.status === "running" || s.status === "queued";

/**
 * A run's status as it changes (server-sent events): `onStatus` for each,
 * until the run ends; resolves with the last status. Should the stream break
 * (a proxy, a server restart), the run is asked once a second instead.
 */
export function follow(id, onStatus) {
  const source = new EventSource(`/api/runs/${id}/events`);
  let ended = false;
  return new Promise((resolve, reject) => {
    source.addEventListener("progress", (m) => onStatus(JSON.parse(m.data)));
    source.addEventListener("done", (m) => {
      ended = true;
      source.close();
      const s = JSON.parse(m.data);
      onStatus(s);
      resolve(s);
    });
    source.onerror = () => {
      if (ended) return;
      source.close();
      const poll = () =>
        get(`/api/runs/${id}`).then((s) => {
          onStatus(s);
          if (underWay(s)) setTimeout(poll, 1000);
          else resolve(s);
        }, reject);
      poll();
    };
  });
}

// GET /docs: the API reference for people, rendered on the server from the
// OpenAPI document, so the page needs no script and fetches nothing.
import type { OpenAPIHono } from "@hono/zod-openapi";

type OpenAPIObject = ReturnType<OpenAPIHono["getOpenAPIDocument"]>;

type Schema = Record<string, unknown>;
type Content = Record<string, { schema?: unknown }>;

/** What the page shows of an operation (parameters and bodies are inline: the routes declare no shared ones). */
interface Operation {
  summary?: string;
  description?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema; description?: string }[];
  requestBody?: { description?: string; content: Content };
  responses?: Record<string, { description: string; content?: Content }>;
}

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

const refName = (ref: string): string => ref.slice(ref.lastIndexOf("/") + 1);

/** A schema in one line, for parameter tables: its type and constraints. */
function brief(s: Schema | undefined): string {
  if (!s) return "";
  if (typeof s.$ref === "string") return `<a href="#schema-${esc(refName(s.$ref))}">${esc(refName(s.$ref))}</a>`;
  const parts = [esc(s.type ?? "any")];
  if (Array.isArray(s.enum)) parts[0] = s.enum.map((v) => `<code>${esc(v)}</code>`).join(" | ");
  if (s.pattern) parts.push(`pattern <code>${esc(s.pattern)}</code>`);
  if (s.default !== undefined) parts.push(`default <code>${esc(JSON.stringify(s.default))}</code>`);
  return parts.join(", ");
}

/** A schema in full, with references linked to the schemas section. */
function full(s: unknown): string {
  const text = esc(JSON.stringify(s, null, 2));
  return `<pre>${text.replace(/&quot;\$ref&quot;: &quot;#\/components\/schemas\/([\w-]+)&quot;/g, (_, name) => `&quot;$ref&quot;: <a href="#schema-${name}">${name}</a>`)}</pre>`;
}

function content(c: Content | undefined): string {
  if (!c) return "";
  return Object.entries(c)
    .map(([type, media]) => `<div class="media"><code>${esc(type)}</code>${media.schema ? full(media.schema) : ""}</div>`)
    .join("");
}

const anchor = (method: string, path: string): string => `${method}-${path}`.replace(/[^\w-]/g, "_");

function operation(path: string, method: string, op: Operation): string {
  const rows = (op.parameters ?? [])
    .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? "yes" : ""}</td><td>${brief(p.schema)}</td><td>${esc(p.description ?? (p.schema?.description as string | undefined) ?? "")}</td></tr>`)
    .join("");
  const responses = Object.entries(op.responses ?? {})
    .map(([code, r]) => `<details><summary><b>${esc(code)}</b> ${esc(r.description)}</summary>${content(r.content)}</details>`)
    .join("");
  return `<section id="${anchor(method, path)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary ?? "")}</p>${op.description ? `<p class="desc">${esc(op.description)}</p>` : ""}
${rows ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>type</th><th></th></tr>${rows}</table>` : ""}
${op.requestBody ? `<h4>Body</h4>${esc(op.requestBody.description ?? "")}${content(op.requestBody.content)}` : ""}
<h4>Responses</h4>${responses}
</section>`;
}

export function docsPage(doc: OpenAPIObject): string {
  const ops = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    (["get", "post", "put", "delete", "patch"] as const).filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m] as Operation })),
  );
  const toc = ops
    .map(({ path, method, op }) => `<li><a href="#${anchor(method, path)}"><span class="method ${method}">${method.toUpperCase()}</span> ${esc(path)}</a> ${esc(op.summary ?? "")}</li>`)
    .join("");
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(([name, s]) => `<section id="schema-${esc(name)}"><h3>${esc(name)}</h3>${full(s)}</section>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f5;padding:.6rem;overflow:auto;max-height:28rem}
section{border-top:1px solid #ddd;padding-top:.5rem;margin-top:1.5rem}.desc{color:#444}
.method{display:inline-block;min-width:3.8rem;text-align:center;border-radius:3px;color:#fff;font-size:12px;padding:1px 4px}
.get{background:#2a7ab0}.post{background:#3a9a4a}.delete{background:#c0392b}.put,.patch{background:#a67c00}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}
ul{padding-left:1.2rem}li{margin:.2rem 0}a{color:#1a5fa0}summary{cursor:pointer}
</style></head><body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${esc(doc.info.description ?? "")}</p>
<p>The same as <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.0). <a href="/">The demo</a>.</p>
<h2>Endpoints</h2><ul>${toc}</ul>
${ops.map(({ path, method, op }) => operation(path, method, op)).join("\n")}
<h2>Schemas</h2>${schemas}
</body></html>`;
}

// Small DOM helpers: elements from a tag, attributes and children; SVG
// elements; numbers for people; and showing the API's errors at their fields.

const SVG_NS = "http://www.w3.org/2000/svg";

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** An HTML element: h("button", {type: "button", onclick}, "Run"). */
export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);

/** An SVG element. */
export const s = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);

export const $ = (id) => document.getElementById(id);

const integer = new Intl.NumberFormat("en");

/** 12,345 */
export const num = (x) => (typeof x === "number" ? integer.format(x) : String(x ?? "-"));

/** A table from column names and rows of cells (strings or nodes); numbers right-aligned. */
export function table(columns, rows, caption) {
  return h(
    "table",
    {},
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
    h(
      "tbody",
      {},
      rows.map((r) => h("tr", {}, r.map((cell) => h("td", { class: typeof cell === "number" ? "n" : null }, typeof cell === "number" ? num(cell) : cell)))),
    ),
  );
}

/** Offer `content` as a file to download. */
export function download(name, content, type) {
  const url = URL.createObjectURL(content instanceof Blob ? content : new Blob([content], { type }));
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Show an API error's issues at their fields. `fields` maps a field name (as
 * the API names it: `cores`, `params.reps`, `machineDescription.packages[0]`)
 * to its control; an issue goes to the longest name that is a prefix of its
 * field, or to `general` when none is. Returns the first control at fault.
 */
export function showIssues(issues, fields, general) {
  clearIssues(fields, general);
  let first = null;
  const names = Object.keys(fields).sort((a, b) => b.length - a.length);
  for (const issue of issues) {
    const f = issue.field ?? "";
    const name = names.find((n) => f === n || f.startsWith(`${n}.`) || f.startsWith(`${n}[`));
    const text = name && f !== name ? `${f.slice(name.length).replace(/^\./, "")}: ${issue.reason}` : issue.reason;
    if (name) {
      const control = fields[name];
      control.setAttribute("aria-invalid", "true");
      errorSlot(control).append(h("span", {}, text));
      first ??= control;
    } else {
      general.append(h("span", {}, f ? `${f}: ${issue.reason}` : issue.reason));
    }
  }
  return first;
}

export function clearIssues(fields, general) {
  for (const control of Object.values(fields)) {
    control.removeAttribute("aria-invalid");
    errorSlot(control).replaceChildren();
  }
  general.replaceChildren();
}

/** The element that shows a control's errors: named by its aria-errormessage. */
function errorSlot(control) {
  return document.getElementById(control.getAttribute("aria-errormessage"));
}

// Running an experiment: its parameters as controls made from the JSON
// Schema GET /api/experiments publishes (so the page knows no parameter of
// its own), POST /api/runs, then the run's progress as server-sent events.
// The server checks everything: its errors come back naming the field, and
// are shown at that field's control. The machine is the one chosen above:
// changing the experiment never changes it.
import { del, follow, post, underWay } from "./api.js";
import { $, h, num, showIssues, clearIssues } from "./dom.js";

/** One parameter's control from its JSON Schema: the element to show, the control to mark, and how to read its value. */
function paramControl(name, schema) {
  const id = `param-${name}`;
  const hint = h("span", { class: "hint", id: `${id}-hint` }, schema.description ?? "");
  const error = h("span", { class: "field-error", id: `${id}-error`, role: "alert" });
  const aria = { "aria-describedby": `${id}-hint`, "aria-errormessage": `${id}-error` };
  const nullable = schema.anyOf?.some((t) => t.type === "null");
  const base = schema.anyOf?.find((t) => t.type !== "null") ?? schema;
  if (base.type === "array" && base.items?.enum) {
    const boxes = base.items.enum.map((v) => h("input", { type: "checkbox", name, value: v, checked: (schema.default ?? []).includes(v) }));
    const set = h(
      "fieldset",
      { class: "field choices", id, ...aria },
      h("legend", {}, name),
      boxes.map((b) => h("label", { class: "choice" }, b, ` ${b.value}`)),
      hint,
      error,
    );
    return { el: set, control: set, read: () => boxes.filter((b) => b.checked).map((b) => b.value) };
  }
  let input;
  let read;
  if (base.enum) {
    input = h("select", { id, name, ...aria }, base.enum.map((v) => h("option", { value: v, selected: v === schema.default }, v)));
    read = () => input.value;
  } else if (base.type === "integer" || base.type === "number") {
    input = h("input", { id, name, type: "number", inputmode: "numeric", value: schema.default ?? "", min: base.minimum, max: base.maximum, step: base.type === "integer" ? 1 : "any", ...aria });
    if (nullable) hint.append(" (empty: null)");
    read = () => (input.value === "" ? (nullable ? null : undefined) : Number(input.value));
  } else {
    // Anything else as JSON text, for the server to check.
    input = h("input", { id, name, type: "text", value: schema.default === undefined ? "" : JSON.stringify(schema.default), ...aria });
    read = () => {
      if (input.value.trim() === "") return undefined;
      try {
        return JSON.parse(input.value);
      } catch {
        return input.value;
      }
    };
  }
  return { el: h("div", { class: "field" }, h("label", { for: id }, name), input, hint, error), control: input, read };
}

/** "2, 4,8" -> [2, 4, 8]; what is not an integer goes as it is, for the server to name. */
const coreList = (text) =>
  text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((t) => (/^-?\d+$/.test(t) ? Number(t) : t));

export function runSection({ experiments, engines, machine, onResult, onStatus }) {
  const form = $("run-form");
  const select = $("experiment");
  const cores = $("cores");
  const engine = $("engine");
  const trace = $("trace");
  const general = $("run-error");
  const start = $("run-start");
  const cancel = $("run-cancel");
  let params = [];
  let running = null;

  select.replaceChildren(...experiments.map((e) => h("option", { value: e.name }, e.name)));
  engine.replaceChildren(...engines.map((e) => h("option", { value: e.name, selected: e.name === "inproc" }, e.label)));

  function experiment() {
    return experiments.find((e) => e.name === select.value);
  }

  /** The hint saying which machine the paper used, with a button to switch to it. */
  function machineHint() {
    const e = experiment();
    const name = machine.name();
    const hint = $("run-machine");
    hint.replaceChildren(`Runs on ${name ?? "the machine described above"}, the machine picked above`);
    if (e.defaultMachine !== name) {
      hint.append(
        ` (the paper ran ${e.name} on ${e.defaultMachine}) `,
        h("button", { type: "button", class: "link", onclick: () => machine.choose(e.defaultMachine) }, `use ${e.defaultMachine}`),
      );
    }
  }

  function pick() {
    const e = experiment();
    $("experiment-summary").textContent = e.summary;
    const props = { ...(e.params.properties ?? {}) };
    const sweep = props.cores;
    delete props.cores;
    $("cores-field").hidden = !e.sweepsCores;
    cores.value = e.sweepsCores && sweep?.default ? sweep.default.join(", ") : "";
    $("cores-hint").textContent = e.sweepsCores ? `${sweep?.description ?? ""}; comma-separated` : "";
    params = Object.entries(props).map(([name, schema]) => ({ name, ...paramControl(name, schema) }));
    $("params").replaceChildren(...params.map((p) => p.el));
    clearIssues(fields(), general);
    machineHint();
  }

  function fields() {
    return {
      experiment: select,
      cores,
      engine,
      trace,
      ...machine.fields(),
      params: $("params-fieldset"),
      ...Object.fromEntries(params.map((p) => [`params.${p.name}`, p.control])),
    };
  }

  function body() {
    const e = experiment();
    const values = {};
    for (const p of params) {
      const v = p.read();
      if (v !== undefined) values[p.name] = v;
    }
    return {
      experiment: e.name,
      ...machine.ref(),
      ...(e.sweepsCores && cores.value.trim() ? { cores: coreList(cores.value) } : {}),
      params: values,
      engine: engine.value,
      trace: trace.checked,
    };
  }

  function progress(st) {
    const p = st.progress;
    const where = st.status === "queued" && st.queuePosition ? ` (place ${st.queuePosition} in the queue)` : "";
    $("run-status").replaceChildren(
      h("strong", {}, st.status),
      `${where}: ${st.experiment} on ${st.machine}, ${st.engine} engine · ${p.simulationsDone} of ${p.simulations} simulations${p.underWay?.length ? ` (${p.underWay.map((u) => u.label).join("; ")} under way)` : ""} · ${num(p.events)} events · ${num(p.messages)} messages · ${num(p.simulatedCycles)} simulated cycles`,
    );
    const bar = $("run-progress");
    bar.max = p.simulations;
    bar.value = p.simulationsDone;
    bar.setAttribute("aria-valuetext", `${p.simulationsDone} of ${p.simulations} simulations`);
    const list = $("run-simulations");
    list.replaceChildren(...st.simulations.map((x) => h("li", { class: `sim ${x.state}` }, `${x.label}: `, h("span", { class: "state" }, x.state))));
    // Once the run is over, the results list its simulations (with their traces, or as missing).
    list.hidden = !underWay(st);
    $("run-id").replaceChildren("run ", h("a", { href: `/api/runs/${st.id}` }, h("code", {}, st.id)));
    $("run-failure").textContent = st.error ?? "";
    onStatus?.(st);
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (running) return;
    clearIssues(fields(), general);
    start.disabled = true;
    const e = experiment();
    let accepted;
    try {
      accepted = await post("/api/runs", body());
    } catch (err) {
      start.disabled = false;
      if (!err.issues) throw err;
      showIssues(err.issues, fields(), general)?.focus();
      return;
    }
    running = accepted.id;
    cancel.disabled = false;
    $("run-progress-box").hidden = false;
    try {
      const final = await follow(accepted.id, progress);
      onResult(final, e);
    } catch (err) {
      general.textContent = err.message;
    } finally {
      running = null;
      start.disabled = false;
      cancel.disabled = true;
    }
  });

  cancel.addEventListener("click", async () => {
    if (!running) return;
    cancel.disabled = true;
    await del(`/api/runs/${running}`).catch((err) => (general.textContent = err.message));
  });

  select.addEventListener("change", pick);
  pick();
  return { machineChanged: machineHint };
}

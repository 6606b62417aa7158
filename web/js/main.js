// The demo page: the machine (a preset or a pasted description), the SKB's
// routing tree over it, running an experiment, its results beside the
// paper's, and replaying a traced simulation. Everything comes from the API;
// the page holds no model, no experiment and no validation of its own.
import { get, post } from "./api.js";
import { $, h, num, table, showIssues, clearIssues } from "./dom.js";
import { drawMachine } from "./machine-view.js";
import { treeSection } from "./tree-view.js";
import { runSection } from "./run-form.js";
import { resultsSection } from "./results.js";
import { replaySection } from "./replay.js";

const machineSelect = $("machine");
const description = $("description");
const descriptionError = $("description-error");
const CUSTOM = "";

/** The machine shown: its summary, and whether it is a preset or the description. */
let machine = null;
/** The summary each run was started on, for its replay. */
const runMachines = new Map();

/** The enum and descriptions of a request body's field in the OpenAPI document. */
const bodyField = (doc, schema, field) => doc.components.schemas[schema].properties[field];

function showPair(summary, anchor, core) {
  const info = $("pair-info");
  if (core === null || !summary.roundTrip) {
    info.textContent = summary.roundTrip
      ? `Hover over or focus a core for its round trip from core ${anchor}; click a core to measure from it.`
      : "This machine is too large for the round-trip matrix.";
    return;
  }
  const rtt = summary.roundTrip[anchor][core];
  info.textContent = anchor === core ? `core ${core}: itself` : `core ${anchor} ↔ core ${core}: URPC round trip ${num(rtt)} cycles on an idle machine`;
}

function showMachine(summary) {
  machine = summary;
  const m = summary.machine;
  const shape = `${summary.cores} cores in ${summary.packages} packages at ${m.clockGHz} GHz, ${m.interconnect.type === "fsb" ? "one front-side bus" : `HyperTransport links (${summary.diameter} hops at most between packages)`}.`;
  $("machine-summary").textContent = m.description ? `${m.description}. ${shape}` : shape;
  const view = drawMachine($("machine-view"), summary, { label: `${m.name}: packages, dies, cores, shared caches and interconnect` });
  let anchor = 0;
  view.mark("anchor", new Set([anchor]));
  showPair(summary, anchor, null);
  view.onCore("enter", (c) => showPair(summary, anchor, c));
  view.onCore("leave", () => showPair(summary, anchor, null));
  view.onCore("pick", (c) => {
    anchor = c;
    view.mark("anchor", new Set([c]));
    showPair(summary, anchor, c);
  });
  $("pair-classes").replaceChildren(
    table(
      ["class of core pair", "cores", "round trip (cycles)"],
      summary.pairClasses.map((p) => [p.pair, `${p.cores[0]} and ${p.cores[1]}`, p.roundTrip]),
      "URPC round trip of each class of core pair (Table 2's classes)",
    ),
  );
}

async function main() {
  const [presets, experiments, doc] = await Promise.all([get("/api/machines"), get("/api/experiments"), get("/openapi.json")]);
  machineSelect.replaceChildren(
    ...presets.machines.map((m) => h("option", { value: m.name }, `${m.name}: ${m.cores} cores`)),
    h("option", { value: CUSTOM }, "described below"),
  );
  machineSelect.value = "amd-8x4";
  const engineField = bodyField(doc, "RunRequest", "engine");
  const engines = engineField.enum.map((name) => ({ name, label: engineField.description.split("; ").find((d) => d.startsWith(`${name}:`)) ?? name }));

  const machineApi = {
    name: () => (machineSelect.value === CUSTOM ? null : machineSelect.value),
    ref: () => (machineSelect.value === CUSTOM ? { machineDescription: parsedDescription() } : { machine: machineSelect.value }),
    fields: () => ({ machine: machineSelect, machineDescription: description }),
    choose: (name) => {
      machineSelect.value = name;
      return loadMachine();
    },
  };

  const tree = treeSection({ machineRef: machineApi.ref, routeKinds: bodyField(doc, "RouteRequest", "kind").enum });
  const replay = replaySection({
    machineSummary: (status) => runMachines.get(status.id) ?? get(`/api/machines/${encodeURIComponent(status.machine)}`),
  });
  const results = resultsSection({ onReplay: (status, simulation) => replay.open(status, simulation) });
  const runs = runSection({
    experiments: experiments.experiments,
    engines,
    machine: machineApi,
    onStatus: (status) => {
      if (!runMachines.has(status.id)) runMachines.set(status.id, machine);
    },
    onResult: (status, experiment) => results.show(status, experiment),
  });

  /** The description as JSON, or its text as it is for the server to refuse. */
  function parsedDescription() {
    try {
      return JSON.parse(description.value);
    } catch {
      return description.value;
    }
  }

  async function loadMachine() {
    const custom = machineSelect.value === CUSTOM;
    $("custom").open ||= custom;
    clearIssues({ machineDescription: description }, descriptionError);
    let summary;
    try {
      summary = custom ? await post("/api/machines/validate", parsedDescription()) : await get(`/api/machines/${encodeURIComponent(machineSelect.value)}`);
    } catch (e) {
      if (!e.issues) throw e;
      // The validate endpoint names fields from the description's root; the runs endpoint under machineDescription.
      const issues = e.issues.map((i) => ({ ...i, field: i.field === "body" ? "machineDescription" : `machineDescription.${i.field ?? ""}`.replace(/\.$/, "") }));
      showIssues(issues, { machineDescription: description }, descriptionError);
      return;
    }
    showMachine(summary);
    runs.machineChanged();
    await tree.setMachine(summary);
  }

  machineSelect.addEventListener("change", loadMachine);
  $("check-description").addEventListener("click", () => {
    machineSelect.value = CUSTOM;
    loadMachine();
  });
  $("example-description").addEventListener("click", async () => {
    const amd = await get("/api/machines/amd-2x2");
    const { costs: _, ...rest } = amd.machine;
    description.value = JSON.stringify({ ...rest, name: "my-machine", description: "edit me: two packages of two cores" }, null, 1);
  });
  await loadMachine();
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  $("page-error").textContent = `The page could not start: ${e.message}`;
  $("page-error").hidden = false;
});

// The paper's Figure 3, on the 4x4-core AMD: n cores each repeatedly update
// the same k cache lines. SHMk: directly in shared memory, no locks: every
// core stores to the k lines (in package 0's memory) and waits until its
// stores have committed, so the cost is each line's transactions queueing at
// its home on the cache-line model, no formula. MSGk: by a synchronous URPC
// request to a server core (core 0) that owns the data and updates its k
// lines locally, so the cost is the round trip plus the queue at the server,
// whose own cycles per update are the Server series. Each client binds its
// channel to the server, so the channel's rings are in the client's memory.
import { z } from "zod";
import { URPC_RECEIVE } from "../hwmodel/index.ts";
import type { Application, Os } from "../kernel/index.ts";
import type { Experiment } from "./experiment.ts";
import { coreCounts, coresParam, intParam, subsetParam } from "./sweep.ts";
import { kernelSystem, recordsOf } from "./system.ts";

export const SHARED_UPDATE_VARIANTS = ["SHM1", "SHM2", "SHM4", "SHM8", "MSG1", "MSG8", "Server"] as const;
type Variant = (typeof SHARED_UPDATE_VARIANTS)[number];

const Params = z.strictObject({
  cores: coresParam([2, 4, 6, 8, 10, 12, 14, 16]),
  variants: subsetParam(SHARED_UPDATE_VARIANTS, "variant").describe(
    "SHMk: k shared lines updated in place; MSGk: by a request to a server core; Server: the server's cycles per update; one series each",
  ),
  updates: intParam(1, 1000).default(20).describe("updates each core makes; the median is reported"),
});
type Params = z.infer<typeof Params>;

type Point = {
  mode: "SHM" | "MSG";
  lines: number;
  updates: number;
};

/** A core updating the shared lines: how many updates are left, when the current one began. */
type Updater = { lines: number; left: number; startedAt: number };

/** The shared lines: in package 0's memory, where the server of the MSG variants is. */
const SHARED_MEMORY = 0;
const sharedLines = (k: number) => Array.from({ length: k }, (_, i) => `shared ${i}`);

/** Every participating core updates the shared lines in place, one update after another. */
const sharedMemory: Application<Updater, Updater> = {
  initial: { lines: 0, left: 0, startedAt: 0 },
  start(os, u) {
    os.state = { ...u };
    update(os);
  },
  done(os) {
    os.record("update", os.now - os.state.startedAt);
    if (--os.state.left > 0) update(os);
  },
};

function update(os: Os<Updater>): void {
  os.state.startedAt = os.now;
  os.update(sharedLines(os.state.lines), SHARED_MEMORY);
}

type Client = { lines: number; left: number; sentAt: number };
type Request = { t: "update"; lines: number } | { t: "done" };

/** Clients send requests to core 0, which updates its lines and replies. */
const messages: Application<Client, Client, Request> = {
  initial: { lines: 0, left: 0, sentAt: 0 },
  start(os, client) {
    os.state = { ...client };
    request(os);
  },
  message(os, src, m) {
    if (m.t === "update") {
      const start = os.now;
      os.charge(m.lines * os.cost.localLineUpdate());
      os.send(src, { t: "done" });
      os.record("server", os.now - start + URPC_RECEIVE);
      return;
    }
    os.record("update", os.now - os.state.sentAt);
    if (--os.state.left > 0) request(os);
  },
};

function request(os: Os<Client>): void {
  os.state.sentAt = os.now;
  os.send(0, { t: "update", lines: os.state.lines });
}

export const sharedUpdate: Experiment<Params, Point> = {
  name: "shared-update",
  summary: "n cores updating k shared cache lines: shared memory (SHMk) vs messages to a server (MSGk), cores 2..16 (Figure 3)",
  defaultMachine: "amd-4x4",
  params: Params,
  plan(machine, p) {
    const modes = new Map<string, Point>();
    for (const v of p.variants) {
      const mode = v === "Server" ? "MSG" : (v.slice(0, 3) as "SHM" | "MSG");
      const lines = v === "Server" ? 8 : Number(v.slice(3));
      modes.set(`${mode}${lines}`, { mode, lines, updates: p.updates });
    }
    return [...modes.values()].flatMap((point) =>
      coreCounts(machine, p.cores).map((cores) => ({ experiment: "shared-update", machine: machine.description, cores, params: point })),
    );
  },
  label: ({ params: p, cores }) => `${p.mode}${p.lines}, ${cores} cores`,
  system(spec) {
    const p = spec.params;
    if (p.mode === "SHM") {
      const starts = new Map<number, Updater>();
      for (let c = 0; c < spec.cores; c++) starts.set(c, { lines: p.lines, left: p.updates, startedAt: 0 });
      return kernelSystem(spec, { app: sharedMemory, starts });
    }
    const starts = new Map<number, Client>();
    const channels = [];
    for (let c = 1; c < spec.cores; c++) {
      starts.set(c, { lines: p.lines, left: p.updates, sentAt: 0 });
      channels.push({ a: c, b: 0, memoryOf: c });
    }
    return kernelSystem(spec, { app: messages, starts, channels, config: { dispatch: "raw" } });
  },
  summarize(_m, p, specs, outcomes) {
    const pick = (mode: string, lines: number, record: string) =>
      specs.flatMap((s, i) => {
        if (s.params.mode !== mode || s.params.lines !== lines) return [];
        const all = outcomes[i].cores.flatMap((c) => (recordsOf(outcomes[i], c.core)[record] ?? []) as number[]);
        // The mean: a core that still owns the lines updates them at once, the next update waits behind every other
        // core's; the median of so two-sided a spread would hide the waiting.
        return [{ cores: s.cores, cycles: Math.round(all.reduce((a, b) => a + b, 0) / all.length) }];
      });
    const series = p.variants.map((v: Variant) => ({
      name: v,
      points: v === "Server" ? pick("MSG", 8, "server") : pick(v.slice(0, 3), Number(v.slice(3)), "update"),
    }));
    return { rows: [], series };
  },
};


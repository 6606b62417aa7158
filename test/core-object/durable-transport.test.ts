// The durable transport's agenda, without Durable Objects: fake cores that
// do what a Core object does (drain the inbox, handle the window, deliver to
// other cores' inboxes, report) in a random order each window, so messages
// land sometimes before and sometimes after their destination reports. The
// window loop must see the same windows as in-process, at any scale.
import { describe, expect, it } from "vitest";
import { BOOT_WAVE_CORES, CoreFailure, DurableTransport, type CoreLink, type Passing } from "../../src/core-object/durable-transport.ts";
import { BATON_WINDOWS, passOn, startsOf } from "../../src/core-object/baton.ts";
import { isFailure, NO_CALLS, NOTHING_STORED, type CoreWindow, type Failure, type WindowPart, type WindowSummary } from "../../src/core-object/protocol.ts";
import {
  advance,
  CoreRuntime,
  finish,
  Horizons,
  NO_LIMITS,
  simulateInProcess,
  simulate,
  startLoop,
  type Limits,
  type SimEvent,
  type System,
} from "../../src/engine/index.ts";
import { rounds, tokenRing } from "../engine/toy-system.ts";

/** What the fake cores changed since their last commit, and the cores each commit went to. */
interface Commits {
  changed: Set<number>;
  committed: number[][];
}

/**
 * `started`: counts the cores the Simulation and the holders of batons start
 * by a call (not in a delivery); `booting`: the cores booted and the pauses,
 * in order; `commits`: the cores changed and committed.
 */
function fakeCores(system: System, seed: number, failAt = Infinity, started = { calls: 0 }, booting: (number | "pause")[] = [], commits: Commits = { changed: new Set(), committed: [] }): CoreLink {
  const cores = Array.from({ length: system.cores }, (_, c) => CoreRuntime.boot(c, system.boot(c), system.initial(c), system.lookahead, system.cores, false));
  const inbox: SimEvent[][] = cores.map(() => []);
  let rand = seed;
  const random = () => ((rand = (rand * 1103515245 + 12345) % 2147483648) / 2147483648);
  /** One core's window, as a Core object handles it: its report, or its failure. */
  const handle = (c: number, bound: number): CoreWindow | Failure => {
    commits.changed.add(c);
    for (const e of inbox[c].splice(0)) cores[c].deliver(e);
    const out = new Map<number, SimEvent[]>();
    const w = cores[c].process(bound, (dst, e) => out.set(dst, [...(out.get(dst) ?? []), e]));
    if (cores[c].events >= failAt) return { core: c, message: "boom" };
    const sent: number[] = [];
    for (const [dst, evs] of out) {
      commits.changed.add(dst);
      inbox[dst].push(...evs);
      sent.push(dst, Math.min(...evs.map((e) => e.time)));
    }
    return { core: c, events: w.events, messages: w.messages, next: cores[c].nextTime(), sent, stored: NOTHING_STORED };
  };
  return {
    async pause() {
      booting.push("pause");
    },
    async boot(tree) {
      booting.push(...tree);
      return { next: tree.flatMap((c) => [c, cores[c].nextTime()]), failure: null, calls: NO_CALLS };
    },
    async window(tree, _w, bounds, baton) {
      started.calls += tree.length;
      const order = [...tree].sort(() => random() - 0.5);
      const sum: WindowSummary = { events: 0, messages: 0, next: [], sent: [], stored: NOTHING_STORED, passed: [], failure: null, calls: NO_CALLS };
      for (const c of order) {
        const r = handle(c, bounds[tree.indexOf(c)]);
        if (isFailure(r)) return { ...sum, failure: r };
        sum.sent.push(...r.sent);
        sum.events += r.events;
        sum.messages += r.messages;
        sum.next.push(c, r.next);
      }
      // The baton, as the cores pass it on: to the one core due next, or kept by its holder while several are.
      if (baton) {
        const horizons = new Horizons(system.lookahead, system.cores, baton.rule);
        let holder = tree[0];
        let sent = sum.sent;
        let parts: WindowPart[] = [sum];
        for (let pass = passOn(baton, horizons, parts); pass; pass = passOn(pass.baton, horizons, parts)) {
          const how = startsOf(pass, holder, sent, 8);
          started.calls += how.moves ? 1 - how.delivered.length : how.called.length;
          const ran = pass.due.map((d) => handle(d.core, d.bound));
          const failure = ran.find(isFailure);
          if (failure) return { ...sum, failure };
          const reports = ran as CoreWindow[];
          sum.passed.push((parts = reports.map((r) => ({ ...r, next: [r.core, r.next] }))));
          if (how.moves) holder = pass.due[0].core;
          sent = reports.find((r) => r.core === holder)?.sent ?? [];
        }
      }
      return sum;
    },
    async collect(tree) {
      return {
        cores: tree.map((c) => {
          const rt = cores[c];
          return { core: c, clock: rt.clock, events: rt.events, messages: rt.messages, pending: rt.pending + inbox[c].length, hash: rt.hash, result: rt.kernel.result(), channels: rt.channels.counts() };
        }),
        traces: null,
        faults: 0,
        calls: NO_CALLS,
      };
    },
    async commit(tree) {
      commits.committed.push(tree);
      for (const c of tree) commits.changed.delete(c);
      return { written: 0, calls: NO_CALLS };
    },
    async rollBack() {
      return NO_CALLS;
    },
  };
}

const passing = (windows: number, limits: Limits = NO_LIMITS): Passing => ({ windows, rule: "horizons", limits });

/** A run's windows, and the cores the Simulation called for them, with a baton of `windows` or none. */
async function windowCalls(system: System, windows: number): Promise<{ windows: number; calls: number }> {
  const started = { calls: 0 };
  const o = await simulate(new DurableTransport(system.cores, 8, fakeCores(system, 1, Infinity, started), false, passing(windows)), system.lookahead);
  return { windows: o.stats.windows, calls: started.calls };
}

describe("the durable transport's agenda", () => {
  it.each([
    ["one token, 4 cores", tokenRing({ cores: 4, laps: 3, work: 0, delay: 100 })],
    ["several hops per window", tokenRing({ cores: 4, laps: 5, work: 10, delay: 100, lookahead: 100 })],
    ["1000 cores, fan-out 8", tokenRing({ cores: 1000, laps: 2, work: 3, delay: 50 })],
    ["a message to every core and the answers, all at once", rounds({ cores: 5, rounds: 6, work: 0, delay: 100 })],
    ["a message to every core and the answers, one by one", rounds({ cores: 5, rounds: 6, work: 70, delay: 100 })],
  ])("%s: same windows and result as in-process, whatever the delivery order, with the baton or without", async (_name, system) => {
    const expected = await simulateInProcess(system);
    for (const seed of [1, 2, 3]) {
      for (const windows of [0, 3, BATON_WINDOWS]) {
        const got = await simulate(new DurableTransport(system.cores, 8, fakeCores(system, seed), false, passing(windows)), system.lookahead);
        expect(got.hash).toBe(expected.hash);
        expect(got.cores).toEqual(expected.cores);
        expect({ ...got.stats, wallMs: 0 }).toEqual({ ...expected.stats, wallMs: 0 });
      }
    }
  });

  it("boots BOOT_WAVE_CORES cores at a time, each once, with a pause between two waves", async () => {
    const system = tokenRing({ cores: 2 * BOOT_WAVE_CORES + 44, laps: 1, work: 0, delay: 50 });
    const booting: (number | "pause")[] = [];
    const transport = new DurableTransport(system.cores, 8, fakeCores(system, 1, Infinity, { calls: 0 }, booting), false, passing(0));
    expect(await transport.start()).toBe(0);
    const waves = booting.join(" ").split("pause").map((w) => w.trim().split(" ").map(Number));
    expect(waves.map((w) => w.length)).toEqual([BOOT_WAVE_CORES, BOOT_WAVE_CORES, 44]);
    expect(waves.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: system.cores }, (_, c) => c));
  });

  it("the baton runs windows the Simulation would have started: fewer calls to the cores, the same windows", async () => {
    const system = tokenRing({ cores: 2, laps: 20, work: 0, delay: 100 });
    const [without, withBaton] = await Promise.all([0, BATON_WINDOWS].map((windows) => windowCalls(system, windows)));
    expect(withBaton.windows).toBe(without.windows);
    expect(without.calls).toBe(without.windows);
    // A token passed back and forth: every window has one core due, so a baton runs 1 + BATON_WINDOWS of them.
    expect(withBaton.calls).toBe(Math.ceil(without.windows / (1 + BATON_WINDOWS)));
  });

  it("the holder of the baton starts the cores due next at its messages' destinations in their deliveries: a window each, no call of its own", async () => {
    const system = rounds({ cores: 5, rounds: 6, work: 0, delay: 100 });
    const counts = await Promise.all([0, BATON_WINDOWS].map((windows) => windowCalls(system, windows)));
    const [without, withBaton] = counts;
    expect(withBaton.windows).toBe(without.windows);
    // Core 0 asks; then each round the four answer (four due, all asked by core 0), and core 0 hears them and asks again (one due, the holder).
    expect(without.windows).toBe(1 + 2 * 6);
    expect(without.calls).toBe(1 + 6 * (4 + 1));
    // A baton runs windows 1 to 1 + BATON_WINDOWS; the Simulation hands the next, four due, to the first of them, which calls the other three and runs the last windows on the baton.
    expect(withBaton.calls).toBe(1 + 4);
  });

  it("a baton stops where the limits stop the simulation", async () => {
    const system = tokenRing({ cores: 2, laps: 20, work: 0, delay: 100 });
    for (const limits of [{ ...NO_LIMITS, maxEvents: 7 }, { ...NO_LIMITS, maxCycles: 1234 }]) {
      const expected = await simulate(new DurableTransport(system.cores, 8, fakeCores(system, 1), false, passing(0, limits)), system.lookahead, limits);
      const got = await simulate(new DurableTransport(system.cores, 8, fakeCores(system, 1), false, passing(BATON_WINDOWS, limits)), system.lookahead, limits);
      expect({ ...got.stats, wallMs: 0 }).toEqual({ ...expected.stats, wallMs: 0 });
      expect(got.hash).toBe(expected.hash);
    }
  });

  it("a new transport resumes from the saved state of the last (as a Simulation object does each invocation)", async () => {
    const system = tokenRing({ cores: 5, laps: 4, work: 10, delay: 100, lookahead: 100 });
    const expected = await simulateInProcess(system);
    const link = fakeCores(system, 7);
    let t = new DurableTransport(system.cores, 2, link, false, passing(BATON_WINDOWS));
    let loop = await startLoop(t);
    while (!loop.stopped) {
      loop = await advance(t, loop, new Horizons(system.lookahead, system.cores), NO_LIMITS, { windows: 2 });
      t = new DurableTransport(system.cores, 2, link, false, passing(BATON_WINDOWS), structuredClone(t.state()));
    }
    const got = await finish(t, loop, 0);
    expect(got.hash).toBe(expected.hash);
    expect({ ...got.stats, wallMs: 0 }).toEqual({ ...expected.stats, wallMs: 0 });
  });

  it("a commit goes to every core changed since the last (those that ran a window, on a baton or not, and those sent a message), and to no other; to all of them when the transport does not know", async () => {
    const system = tokenRing({ cores: 40, laps: 2, work: 0, delay: 50 });
    const commits: Commits = { changed: new Set(), committed: [] };
    const t = new DurableTransport(system.cores, 8, fakeCores(system, 1, Infinity, { calls: 0 }, [], commits), false, passing(BATON_WINDOWS));
    let loop = await startLoop(t);
    while (!loop.stopped) {
      loop = await advance(t, loop, new Horizons(system.lookahead, system.cores), NO_LIMITS, { windows: 3 });
      const changed = [...commits.changed].sort((a, b) => a - b);
      commits.committed.length = 0;
      await t.commit();
      expect(commits.committed.flat().sort((a, b) => a - b)).toEqual(changed);
      expect(commits.changed.size).toBe(0);
    }
    commits.committed.length = 0;
    t.touchAll();
    await t.commit();
    expect(commits.committed.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: system.cores }, (_, c) => c));
  });

  it("a core's failure stops the transport with its core and message", async () => {
    // Core 0 is the first to handle a second event (the token back from its first lap).
    const system = tokenRing({ cores: 3, laps: 3, work: 0, delay: 100 });
    const t = new DurableTransport(system.cores, 8, fakeCores(system, 1, 2), false, passing(BATON_WINDOWS));
    await expect(simulate(t, system.lookahead)).rejects.toThrow(new CoreFailure({ core: 0, message: "boom" }).message);
  });
});

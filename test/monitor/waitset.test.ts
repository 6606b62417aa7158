// Barrelfish's monitors take messages through Flounder's stubs and a waitset
// that polls each of their N-1 bindings in turn (src/monitor/urpc.ts and
// flounder.ts). One message from core `src` to core 4 of a five-core run on
// the 8x4-core AMD, worked out step by step: the sender's work, its write at
// the slot's home, the invalidation reaching core 4, the read that core 4
// issues when its polling loop comes round to the binding, the receive work.
import { describe, expect, it } from "vitest";
import { simulateInProcess } from "../../src/engine/index.ts";
import { kernelSystem, type SimulationSpec } from "../../src/experiments/index.ts";
import { HomeAgent, homeFor, preset, presetDescription, URPC_RECEIVE, URPC_SEND } from "../../src/hwmodel/index.ts";
import type { Application } from "../../src/kernel/index.ts";
import { FLOUNDER_MESSAGE, flounderCosts, WAITSET_VISIT, type Dispatch } from "../../src/monitor/index.ts";

const { send: STUB_SEND, receive: STUB_RECEIVE } = flounderCosts(preset("amd-8x4")!);

const CORES = 5;
const spec: SimulationSpec = { experiment: "test", machine: presetDescription("amd-8x4")!, cores: CORES, params: null };

/** Core `src` sends one message to core 4 at time 0; core 4 records when it has taken it. */
const one = (): Application => ({
  initial: null,
  start: (os) => os.send(4, "hello"),
  message: (os) => os.record("got", os.now),
});

async function taken(src: number, dispatch: Dispatch): Promise<number> {
  const system = kernelSystem(spec, { app: one(), starts: new Map([[src, null]]), channels: [{ a: src, b: 4, memoryOf: 4 }], config: { dispatch } });
  const out = await simulateInProcess(system);
  return (out.cores[4].result as { records: { got: number[] } }).records.got[0];
}

/** The slot's write and its invalidation of core 4's copy; then core 4's read issued at `look(seen)`. */
function oracle(src: number, sendWork: number, look: (seen: number) => number): { seen: number; read: number; complete: number } {
  const m = preset("amd-8x4")!;
  const h = homeFor(m, m.corePackage[4]);
  const home = new HomeAgent(m, h.package, h.core, () => [[src, "O"], [4, "S"]]);
  const write = home.request(home.arrival(src, sendWork), { requester: src, line: "slot", op: "write" });
  const seen = write.notices.find((n) => n.core === 4)!.at;
  const read = look(seen);
  return { seen, read, complete: home.request(home.arrival(4, read), { requester: 4, line: "slot", op: "read" }).complete };
}

describe("the waitset and Flounder's stubs", () => {
  it("raw UMP: core 4 reads the slot as soon as the write's invalidation reaches it", async () => {
    const o = oracle(0, URPC_SEND, (seen) => seen);
    expect(await taken(0, "raw")).toBe(o.complete + URPC_RECEIVE);
  });

  it("a polling pass over N-1 = 4 bindings: the read waits for the loop to reach the sender's binding", async () => {
    // Core 4's loop, idle since time 0, visits the bindings to cores 0, 1, 2, 3 in turn, 12 cycles each:
    // the binding to core s at 12s, 12s + 48, 12s + 96, ...
    expect(WAITSET_VISIT).toBe(12);
    for (const src of [0, 3]) {
      const nextVisit = (seen: number) => 12 * src + 48 * Math.ceil(Math.max(0, seen - 12 * src) / 48);
      const o = oracle(src, URPC_SEND + STUB_SEND, nextVisit);
      expect(o.read - o.seen, `core ${src}`).toBeGreaterThanOrEqual(0);
      expect(o.read - o.seen, `core ${src}`).toBeLessThan(48);
      expect((o.read - 12 * src) % 48, `core ${src}`).toBe(0);
      expect(await taken(src, "flounder"), `core ${src}`).toBe(o.complete + URPC_RECEIVE + STUB_RECEIVE);
    }
  });

  it("the stubs: the paper's 600 cycles per message less the raw one-way message, a third sending and two thirds receiving", async () => {
    expect(STUB_SEND + STUB_RECEIVE).toBe(FLOUNDER_MESSAGE - 538 / 2);
    expect([STUB_SEND, STUB_RECEIVE]).toEqual([110, 221]);
    // Read as one-way, Table 2's figure is the raw message itself: the stubs are what is left of 600.
    const oneWay = flounderCosts(preset("amd-8x4", "one-way")!);
    expect(oneWay.send + oneWay.receive).toBe(FLOUNDER_MESSAGE - 538);
    // On top of the raw message: both stubs, and up to one pass of the waitset (its read may then queue less at the home).
    const extra = (await taken(0, "flounder")) - (await taken(0, "raw"));
    expect(extra).toBeGreaterThanOrEqual(STUB_SEND + STUB_RECEIVE);
    expect(extra).toBeLessThan(STUB_SEND + STUB_RECEIVE + 48);
  });
});

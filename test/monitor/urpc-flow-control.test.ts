import { describe, expect, it } from "vitest";
import { simulateInProcess, type Json } from "../../src/engine/index.ts";
import { kernelSystem, type SimulationSpec } from "../../src/experiments/index.ts";
import { HomeAgent, homeFor, preset, presetDescription, URPC_RECEIVE, URPC_SEND } from "../../src/hwmodel/index.ts";
import type { Application } from "../../src/kernel/index.ts";

const spec: SimulationSpec = { experiment: "test", machine: presetDescription("amd-8x4")!, cores: 5, params: null };

/** Core 0 sends `n` numbered messages to core 4 in one burst; core 4 records them. */
function burst(n: number): Application {
  return {
    initial: null,
    start(os) {
      for (let i = 0; i < n; i++) os.send(4, { i });
    },
    message(os, src, body) {
      os.record("got", [src, (body as { i: number }).i, os.now]);
    },
  };
}

async function run(n: number, slots: number) {
  // Raw UMP: the ring and its flow control alone, no stubs and no waitset (test/monitor/waitset.test.ts has those).
  const out = await simulateInProcess(
    kernelSystem(spec, { app: burst(n), starts: new Map([[0, null]]), channels: [{ a: 0, b: 4, memoryOf: 4 }], slots, config: { dispatch: "raw" } }),
  );
  const sender = out.cores[0].result as { channels: { sent: number; stalls: number; explicitAcks: number } };
  const receiver = out.cores[4].result as { records: { got: Json[] }; channels: { received: number; explicitAcks: number } };
  return { out, sender, receiver, got: receiver.records.got as [number, number, number][] };
}

describe("URPC channel flow control", () => {
  it("a full ring stalls the sender and nothing is lost or reordered", async () => {
    const { sender, receiver, got } = await run(100, 4);
    expect(got.map(([, i]) => i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(sender.channels.sent).toBe(100);
    expect(receiver.channels.received).toBe(100);
    expect(sender.channels.stalls).toBe(96);
    // The receiver acks explicitly every slots-1 messages: nothing to piggyback on.
    expect(receiver.channels.explicitAcks).toBe(33);
  });

  it("a ring big enough never stalls", async () => {
    const { sender } = await run(20, 32);
    expect(sender.channels.stalls).toBe(0);
  });

  it("the first message takes the line model's write and read; the rest follow one slot after another", async () => {
    // A ring larger than the stream: no explicit acks interrupt the receiver.
    const { got } = await run(40, 64);
    const times = got.map(([, , t]) => t);
    // The oracle: the slot's home (core 4's package) serves core 0's write after
    // its 16 cycles of work, then core 4's read once the write's probe reached it.
    const m = preset("amd-8x4")!;
    const h = homeFor(m, m.corePackage[4]);
    const home = new HomeAgent(m, h.package, h.core, () => [[0, "O"], [4, "S"]]);
    const write = home.request(home.arrival(0, URPC_SEND), { requester: 0, line: "slot", op: "write" });
    const seen = write.notices.find((n) => n.core === 4)!.at;
    const read = home.request(home.arrival(4, seen), { requester: 4, line: "slot", op: "read" });
    expect(times[0]).toBe(read.complete + URPC_RECEIVE);
    // Later slots queue behind the sender's one RFO at a time: strictly later, never sooner than the work between them.
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(URPC_RECEIVE);
  });

  it("a smaller ring stalls more and delivers later, with the same messages", async () => {
    const small = await run(64, 2);
    const big = await run(64, 32);
    expect(small.got.length).toBe(big.got.length);
    expect(small.got.at(-1)![2]).toBeGreaterThan(big.got.at(-1)![2]);
  });
});

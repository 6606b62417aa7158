// The main correctness test of the durable engine: the same run gives the
// same result, hash and trace on Core Durable Objects as in one process.
import { describe, expect, it } from "vitest";
import { experimentByName } from "../../src/experiments/index.ts";
import { preset } from "../../src/hwmodel/index.ts";
import { expectInProcessOutcome, run } from "./durable.ts";
import { relaySpec } from "./toy.ts";

describe("durable and in-process runs are identical", () => {
  it("urpc, one pair of cores", async () => {
    const e = experimentByName("urpc")!;
    const [spec] = await e.plan(preset("amd-2x2")!, e.params.parse({ warmup: 1, iterations: 2, stream: 32, queue: 4 }));
    const { status, outcome } = await run("eq-urpc").run(spec, {});
    expect(status.state).toBe("done");
    await expectInProcessOutcome(spec, outcome);
  });

  it("tokens relayed round 12 cores through a barrier tree of fan-out 3, with the trace", async () => {
    const spec = relaySpec(12, { laps: 2, stride: 5 });
    const stub = run("eq-relay");
    const { status, outcome } = await stub.run(spec, { fanout: 3, trace: true });
    expect(status.state).toBe("done");
    expect(status.calls.depth).toBeGreaterThanOrEqual(3); // Run, subtree roots, their subtrees
    await expectInProcessOutcome(spec, { ...outcome!, trace: await stub.traceRecords() }, true);
  });
});

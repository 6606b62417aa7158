// A simulation's calls, told apart by the operation that made them: what the
// bench sets beside the fewest calls any way of starting the same windows
// could make (bench/durable.ts).
import { describe, expect, it } from "vitest";
import { expectInProcessOutcome, simulation } from "./durable-helpers.ts";
import { relaySpec } from "./relay-experiment.ts";

describe("the calls by kind", () => {
  it("a boot and a collection per core, a commit per core touched since the last, the rest the windows'; together every call", async () => {
    const spec = relaySpec(6, { hops: 12, stride: 1 });
    const runs = [];
    for (const commitWindows of [1, 128]) {
      const { status, outcome } = await simulation(`calls-${commitWindows}`).run(spec, { commitWindows });
      expect(status.state).toBe("done");
      await expectInProcessOutcome(spec, outcome);
      const { total, byKind } = status.calls;
      expect(byKind.boots).toBe(6);
      expect(byKind.collections).toBe(6);
      expect(byKind.rollBacks).toBe(0);
      expect(byKind.windows).toBeGreaterThanOrEqual(status.progress.messages);
      expect(byKind.windows + byKind.boots + byKind.commits + byKind.collections + byKind.rollBacks).toBe(total);
      runs.push(byKind);
    }
    // A commit after every window reaches the cores the window touched; how often the cores commit changes no window's calls.
    expect(runs[0].commits).toBeGreaterThan(0);
    expect(runs[1].windows).toBe(runs[0].windows);
  });
});

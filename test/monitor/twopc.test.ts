import { describe, expect, it } from "vitest";
import type { Capability } from "../../src/cpudriver/index.ts";
import type { Application } from "../../src/kernel/index.ts";
import type { RetypeRequest } from "../../src/monitor/index.ts";
import { resultOf, runProtocol } from "./protocol-harness.ts";

const RAM: Capability = { type: "RAM", base: 2 ** 40, size: 64 * 1024 };
const caps = [{ cap: RAM, owner: 0 }];
const split: RetypeRequest = { cap: 0, type: "Frame", objSize: 4096, count: 16 };

/** Cores named in `starts` each retype once; everyone records completions. */
const retyper = (req: (core: number) => RetypeRequest): Application => ({
  initial: null,
  start: (os) => void os.retype(req(os.core), "numa-multicast"),
  done: (os, r) => os.record("done", r as never),
});

const replicas = (out: Awaited<ReturnType<typeof runProtocol>>) => new Set(out.cores.map((c) => (c.result as { replica: string }).replica));

describe("two-phase commit of capability retype", () => {
  it("after a retype every replica agrees and holds the new capabilities", async () => {
    const out = await runProtocol("amd-8x4", 16, ["numa-multicast"], { app: retyper(() => split), starts: new Map([[0, null]]), caps });
    expect(resultOf(out, 0).records.done).toEqual([{ op: "0:0", ok: true, reason: null }]);
    const [digest] = [...replicas(out)];
    expect(replicas(out).size).toBe(1);
    expect(digest.split(",").filter((c) => c.includes(":Frame:"))).toHaveLength(16);
    expect(digest).not.toMatch(/:0:0:[0-9]+:[^-]/);
  });

  it("a retype that breaks the capability rules aborts everywhere and leaves every replica unchanged", async () => {
    const before = await runProtocol("amd-8x4", 16, ["numa-multicast"], { app: { initial: null }, starts: new Map(), caps });
    const tooBig = { ...split, objSize: 128 * 1024, count: 1 };
    const out = await runProtocol("amd-8x4", 16, ["numa-multicast"], { app: retyper(() => tooBig), starts: new Map([[0, null]]), caps });
    const [done] = resultOf(out, 0).records.done as { ok: boolean; reason: string }[];
    expect(done.ok).toBe(false);
    expect(done.reason).toMatch(/do not fit/);
    expect(replicas(out)).toEqual(replicas(before));
  });

  it("retyping a capability twice: the second is refused because the first left descendants", async () => {
    const twice: Application = {
      initial: null,
      start: (os) => void os.retype(split, "numa-multicast"),
      done(os, r) {
        os.record("done", r as never);
        if (r.op === "0:0") os.retype(split, "numa-multicast");
      },
    };
    const out = await runProtocol("amd-8x4", 8, ["numa-multicast"], { app: twice, starts: new Map([[0, null]]), caps });
    const done = resultOf(out, 0).records.done as { ok: boolean; reason?: string }[];
    expect(done.map((d) => d.ok)).toEqual([true, false]);
    expect(done[1].reason).toMatch(/already retyped/);
    expect(replicas(out).size).toBe(1);
  });

  it("concurrent conflicting retypes resolve the same way every time, and replicas converge", async () => {
    const run = () => runProtocol("amd-8x4", 16, ["numa-multicast"], { app: retyper(() => split), starts: new Map([[0, null], [5, null]]), caps, roots: [0, 5] });
    const a = await run();
    const b = await run();
    expect(a.hash).toBe(b.hash);
    expect(replicas(a).size).toBe(1);
    const outcomes = [0, 5].flatMap((c) => resultOf(a, c).records.done as { ok: boolean }[]);
    expect(outcomes).toHaveLength(2);
    // At most one of them commits: both cannot lock the same capability.
    expect(outcomes.filter((o) => o.ok).length).toBeLessThanOrEqual(1);
  });
});

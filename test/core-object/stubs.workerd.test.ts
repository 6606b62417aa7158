import { describe, expect, it } from "vitest";
import { CoreStubs, type CoreStub } from "../../src/core-object/stubs.ts";

/** A namespace that hands out numbered stubs and remembers the names it was asked for. */
function namespace() {
  const names: string[] = [];
  const ns = {
    getByName(name: string) {
      names.push(name);
      return { name, made: names.length };
    },
  };
  return { ns: ns as unknown as DurableObjectNamespace, names };
}

const made = (stub: CoreStub): number => (stub as unknown as { made: number }).made;

describe("a simulation's core stubs", () => {
  it("makes a core's stub once, by its name, and reuses it", async () => {
    const { ns, names } = namespace();
    const stubs = new CoreStubs(ns, "run.0");
    const seen = [await stubs.call(3, async (s) => made(s)), await stubs.call(5, async (s) => made(s)), await stubs.call(3, async (s) => made(s))];
    expect(seen).toEqual([1, 2, 1]);
    expect(names).toEqual(["run.0/3", "run.0/5"]);
  });

  it("makes a stub anew after a call through it failed, and passes the error on", async () => {
    const { ns, names } = namespace();
    const stubs = new CoreStubs(ns, "run.0");
    await expect(stubs.call(2, () => Promise.reject(new Error("reset")))).rejects.toThrow("reset");
    expect(await stubs.call(2, async (s) => made(s))).toBe(2);
    expect(await stubs.call(2, async (s) => made(s))).toBe(2);
    expect(names).toEqual(["run.0/2", "run.0/2"]);
  });

  it("keeps a newer stub when an older call through the broken one fails late", async () => {
    const { ns } = namespace();
    const stubs = new CoreStubs(ns, "run.0");
    let fail!: (e: Error) => void;
    const slow = stubs.call(1, () => new Promise((_, reject) => (fail = reject)));
    await expect(stubs.call(1, () => Promise.reject(new Error("first")))).rejects.toThrow("first");
    expect(await stubs.call(1, async (s) => made(s))).toBe(2);
    fail(new Error("late"));
    await expect(slow).rejects.toThrow("late");
    expect(await stubs.call(1, async (s) => made(s))).toBe(2);
  });
});

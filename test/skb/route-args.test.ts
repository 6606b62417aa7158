import { describe, expect, it } from "vitest";
import { preset } from "../../src/hwmodel/index.ts";
import { SkbFieldError, SystemKnowledgeBase } from "../../src/skb/index.ts";

describe("route arguments", () => {
  const kb = SystemKnowledgeBase.for(preset("amd-4x4")!);
  const field = async (run: () => Promise<unknown>) => {
    const e = await run().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(SkbFieldError);
    return (e as SkbFieldError).field;
  };

  it("an unknown kind names the kind", async () => {
    expect(await field(async () => (await kb).route("anycast", 0))).toBe("kind");
  });

  it.each([-1, 16, 1.5, Number.NaN])("root %s out of range names the root", async (root) => {
    expect(await field(async () => (await kb).route("unicast", root))).toBe("root");
  });

  it("a root outside the cores the tree spans names the root", async () => {
    expect(await field(async () => (await kb).route("unicast", 8, { cores: 8 }))).toBe("root");
  });

  it.each([0, -2, 2.5])("fan-out %s names the fanout", async (fanout) => {
    expect(await field(async () => (await kb).route("radix", 0, { fanout }))).toBe("fanout");
  });

  it("a fan-out for a kind that has none names the fanout", async () => {
    expect(await field(async () => (await kb).route("multicast", 0, { fanout: 4 }))).toBe("fanout");
  });

  it.each([0, 17, 2.5])("cores %s names the cores", async (cores) => {
    expect(await field(async () => (await kb).route("unicast", 0, { cores }))).toBe("cores");
  });
});

// Large documents are cut into rows of bounded size (a SQLite row holds at
// most 2 MB) without splitting a character.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Store } from "../../src/core-object/store.ts";

describe("Store", () => {
  it("round-trips a multi-megabyte document, a surrogate pair across a part boundary", async () => {
    const stub = env.CORE.getByName("store-test") as unknown as DurableObjectStub;
    await runInDurableObject(stub, (_o, state) => {
      const store = new Store(state.storage);
      // After `{"text":"` and 262,134 x's, the first fish's two halves sit across the first 256 Ki boundary.
      const doc = { text: "x".repeat(262_134) + "🐟".repeat(400_000), n: [1, 2, 3] };
      store.putDoc("big", doc);
      expect(store.getDoc("big")).toEqual(doc);
      const parts = state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM doc WHERE key = 'big'").one().n;
      expect(parts).toBeGreaterThan(3);
      store.putDoc("big", { small: true });
      expect(store.getDoc("big")).toEqual({ small: true });
      expect(store.getDoc("absent")).toBeUndefined();
    });
  });
});

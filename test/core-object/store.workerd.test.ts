// Large documents are cut into rows of bounded size (a SQLite row holds at
// most 2 MB) without splitting a character.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { cut, Store } from "../../src/core-object/store.ts";

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

describe("Store's chunked documents", () => {
  /** A core's state, roughly: many small entries. */
  const state = (n: number, changed = -1) => ({
    queue: [{ time: 1, kind: "x" }],
    entries: Array.from({ length: n }, (_, i) => ({ id: `cap-${i}`, owner: i % 7, version: i === changed ? 2 : 1, rights: ["read", "write"] })),
  });
  const stored = (sql: SqlStorage) => sql.exec<{ n: number; chars: number }>("SELECT count(*) AS n, coalesce(sum(length(text)), 0) AS chars FROM chunk").one();

  it("a save writes only the chunks a change touched, and deletes the ones it no longer uses", async () => {
    const stub = env.CORE.getByName("chunk-test") as unknown as DurableObjectStub;
    await runInDurableObject(stub, (_o, storage) => {
      const store = new Store(storage.storage);
      const first = state(3000);
      const size = JSON.stringify(first).length;
      expect(store.putChunked("s", first)).toEqual({ written: size, size });
      const second = state(3000, 1500);
      const { written } = store.putChunked("s", second);
      expect(written).toBeGreaterThan(0);
      expect(written).toBeLessThan(size / 20);
      expect(store.getChunked("s")).toEqual(second);
      // What storage holds is the document, once: the replaced chunks are gone.
      expect(stored(storage.storage.sql).chars).toBe(JSON.stringify(second).length);
      // Saving it unchanged writes nothing.
      expect(store.putChunked("s", second).written).toBe(0);
      // A new instance (an evicted object) reads it back and goes on from it.
      const again = new Store(storage.storage);
      expect(again.getChunked("s")).toEqual(second);
      const third = { ...state(2000), note: "🐟".repeat(3000) };
      again.putChunked("s", third);
      expect(new Store(storage.storage).getChunked("s")).toEqual(third);
      expect(again.getChunked("absent")).toBeUndefined();
    });
  });

  it("a save in a transaction that fails leaves the last document, for this instance too", async () => {
    const stub = env.CORE.getByName("chunk-rollback") as unknown as DurableObjectStub;
    await runInDurableObject(stub, (_o, storage) => {
      const store = new Store(storage.storage);
      store.putChunked("s", state(500));
      expect(() =>
        store.atomically(() => {
          store.putChunked("s", state(500, 10));
          throw new Error("the window failed");
        }),
      ).toThrow("the window failed");
      expect(store.getChunked("s")).toEqual(state(500));
      store.putChunked("s", state(500, 20));
      expect(new Store(storage.storage).getChunked("s")).toEqual(state(500, 20));
    });
  });

  it("cuts text where its content says, whatever came before, and never inside a surrogate pair", () => {
    const text = JSON.stringify(state(1000));
    const parts = cut(text);
    expect(parts.join("")).toBe(text);
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThanOrEqual(16 * 1024);
    // An insertion near the start leaves the later boundaries where they were.
    const shifted = cut("inserted" + text);
    expect(shifted.slice(-parts.length + 2)).toEqual(parts.slice(2));
    for (const p of cut("🐟".repeat(20_000))) expect(p.length % 2).toBe(0);
  });
});

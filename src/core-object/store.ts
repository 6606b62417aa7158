// Durable Object storage as the Core and the Simulation use it: small records in the
// synchronous KV API (structured clone, so Infinity and typed arrays survive),
// large JSON documents (a run's spec, results) in SQL rows cut into parts,
// because one SQLite row holds at most 2 MB, and documents saved again and
// again with small changes (a core's state) in content-defined chunks, so a
// save writes only what changed.

const PART_CHARS = 256 * 1024; // <= 1 MB of UTF-8 per row, whatever the text

export class Store {
  /** The chunked documents' chunks as they are in storage, by text; dropped if a transaction fails. */
  private readonly chunks = new Map<string, { byText: Map<string, number>; next: number }>();

  constructor(private readonly storage: DurableObjectStorage) {
    storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS doc (key TEXT NOT NULL, part INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (key, part));
      CREATE TABLE IF NOT EXISTS chunk (key TEXT NOT NULL, id INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (key, id));`);
  }

  get sql(): SqlStorage {
    return this.storage.sql;
  }

  get<T>(key: string): T | undefined {
    return this.storage.kv.get<T>(key);
  }

  put<T>(key: string, value: T): void {
    this.storage.kv.put(key, value);
  }

  delete(key: string): void {
    this.storage.kv.delete(key);
  }

  getDoc<T>(key: string): T | undefined {
    const text = this.getText(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  putDoc(key: string, value: unknown): void {
    this.putText(key, JSON.stringify(value));
  }

  /** A document as the JSON text it was stored as. */
  getText(key: string): string | undefined {
    const parts = this.sql.exec<{ text: string }>("SELECT text FROM doc WHERE key = ? ORDER BY part", key).toArray();
    return parts.length ? parts.map((p) => p.text).join("") : undefined;
  }

  /** A document already in JSON text. */
  putText(key: string, text: string): void {
    this.sql.exec("DELETE FROM doc WHERE key = ?", key);
    let part = 0;
    for (let i = 0; i < text.length || part === 0; part++) {
      let end = Math.min(i + PART_CHARS, text.length);
      // Never split a surrogate pair: half of one does not survive UTF-8.
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
      this.sql.exec("INSERT INTO doc (key, part, text) VALUES (?, ?, ?)", key, part, text.slice(i, end));
      i = end;
    }
  }

  /**
   * A document saved again and again with small changes (a core's state,
   * every window): its JSON is cut into chunks at content-defined boundaries
   * (a gear hash over the text, as in FastCDC: Xia et al., USENIX ATC 2016),
   * so an edit moves the boundaries near it only, and a save writes just the
   * chunks that are new and deletes those no longer used. Chunks are kept by
   * their text in memory, so a save compares text, not hashes: nothing is
   * taken for unchanged that changed.
   */
  putChunked(key: string, value: unknown): Saved {
    const whole = JSON.stringify(value);
    const texts = cut(whole);
    const known = this.chunksOf(key);
    const ids: number[] = [];
    let written = 0;
    const fresh = new Map<string, number>();
    for (const text of texts) {
      let id = known.byText.get(text) ?? fresh.get(text);
      if (id === undefined) {
        id = known.next++;
        fresh.set(text, id);
        this.sql.exec("INSERT INTO chunk (key, id, text) VALUES (?, ?, ?)", key, id, text);
        written += text.length;
      }
      ids.push(id);
    }
    const used = new Set(ids);
    for (const [text, id] of known.byText) {
      if (used.has(id)) continue;
      this.sql.exec("DELETE FROM chunk WHERE key = ? AND id = ?", key, id);
      known.byText.delete(text);
    }
    for (const [text, id] of fresh) known.byText.set(text, id);
    this.put(`chunks:${key}`, { ids, next: known.next });
    return { written, size: whole.length };
  }

  getChunked<T>(key: string): T | undefined {
    const manifest = this.get<{ ids: number[] }>(`chunks:${key}`);
    if (!manifest) return undefined;
    const byId = new Map([...this.chunksOf(key).byText].map(([text, id]) => [id, text]));
    return JSON.parse(manifest.ids.map((id) => byId.get(id)!).join("")) as T;
  }

  /** The chunks of a document in storage, by text: read once per instance. */
  private chunksOf(key: string): { byText: Map<string, number>; next: number } {
    let known = this.chunks.get(key);
    if (!known) {
      const byText = new Map<string, number>();
      for (const r of this.sql.exec<{ id: number; text: string }>("SELECT id, text FROM chunk WHERE key = ?", key)) byText.set(r.text, r.id);
      known = { byText, next: this.get<{ next: number }>(`chunks:${key}`)?.next ?? 0 };
      this.chunks.set(key, known);
    }
    return known;
  }

  /** Several writes as one: all land or none do. */
  atomically<T>(fn: () => T): T {
    try {
      return this.storage.transactionSync(fn);
    } catch (e) {
      // Rolled back: what this instance knows of the chunks may be ahead of storage.
      this.chunks.clear();
      throw e;
    }
  }
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

/** What a chunked save wrote, and the whole document's length, in characters. */
export interface Saved {
  written: number;
  size: number;
}

/**
 * Chunk lengths: at least MIN characters, at most MAX, and a boundary where
 * the mixed gear hash's top 8 bits are zero, about 256 characters past MIN:
 * a core's state of a few hundred KB is a few hundred rows, and a small change
 * rewrites about a kilobyte.
 */
const MIN_CHUNK = 256;
const MAX_CHUNK = 4 * 1024;
const BOUNDARY_MASK = 0xff000000;

/** The gear table: 256 fixed pseudo-random words (xorshift32), the same on every host. */
const GEAR = (() => {
  const g = new Uint32Array(256);
  let x = 0x9e3779b9;
  for (let i = 0; i < 256; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    g[i] = x >>> 0;
  }
  return g;
})();

/** Text cut at content-defined boundaries (never inside a surrogate pair): an edit moves only the boundaries near it. */
export function cut(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let h = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h = ((h << 1) + GEAR[c & 255]) >>> 0;
    const length = i + 1 - start;
    if (length < MIN_CHUNK || isHighSurrogate(c)) continue;
    // Multiplying spreads the recent characters' low bits over the top ones, so a boundary depends on all 32 in the hash.
    if ((Math.imul(h, 0x9e3779b1) & BOUNDARY_MASK) === 0 || length >= MAX_CHUNK) {
      out.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length || out.length === 0) out.push(text.slice(start));
  return out;
}

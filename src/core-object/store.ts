// Durable Object storage as the Core and the Simulation use it: small records in the
// synchronous KV API (structured clone, so Infinity and typed arrays survive),
// large JSON documents (a run's spec, a core's snapshot, results) in SQL rows
// cut into parts, because one SQLite row holds at most 2 MB.

const PART_CHARS = 256 * 1024; // <= 1 MB of UTF-8 per row, whatever the text

export class Store {
  constructor(private readonly storage: DurableObjectStorage) {
    storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS doc (key TEXT NOT NULL, part INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (key, part))",
    );
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


  /** Several writes as one: all land or none do. */
  atomically<T>(fn: () => T): T {
    return this.storage.transactionSync(fn);
  }
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

// JSON values: everything a core's state, an event or a result holds, so that
// it survives a trip between Durable Objects and into storage unchanged.
// Shared by every layer that persists state (the engine, the CPU driver).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A deep copy through JSON: no aliases into kernel state, and exactly what storage will keep. */
export function cloneJson<T extends Json>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

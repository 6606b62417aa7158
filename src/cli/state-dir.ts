// Where a local workerd keeps its Durable Objects' state: in memory (tmpfs)
// where the machine has room in it. Every Durable Object write commits to
// SQLite, which syncs its log to disk; a window of the durable engine commits
// about three times, and on disk those syncs were most of a local sweep's
// wall time (bench/sweeps.ts). Node built-ins only: `npm start`'s front reads
// its flags with it before anything heavier loads.
import { createHash } from "node:crypto";
import { existsSync, statfsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const SHM = "/dev/shm";
/** A 1024-core simulation's objects take some 100 MB; a container's /dev/shm is often 64 MB. */
const SCRATCH_BYTES = 1024 ** 3;

/** A scratch directory for state that nobody keeps; its caller deletes it. */
export function scratchDir(): Promise<string> {
  return mkdtemp(join(hasRoom(SHM) ? SHM : tmpdir(), "edgefish-"));
}

/**
 * Where `npm start` keeps the demo's state unless `--persist-to` says: in
 * memory when the machine has room there, one directory per user and
 * checkout, so that it outlives the server but not the machine (runs are
 * deleted an hour after they end anyway); null when there is no room.
 */
export function memoryStateDir(): string | null {
  if (!hasRoom(SHM)) return null;
  const checkout = createHash("sha256").update(ROOT).digest("hex").slice(0, 8);
  return join(SHM, `edgefish-${process.getuid?.() ?? "user"}-${checkout}`);
}

function hasRoom(dir: string): boolean {
  if (!existsSync(dir)) return false;
  const fs = statfsSync(dir);
  return fs.bavail * fs.bsize >= SCRATCH_BYTES;
}

// The barrier tree. A window, a boot, a collection or a teardown reaches its
// cores through a tree of bounded fan-out, not by one object calling them all:
// the Simulation calls at most `fanout` subtree roots, each root handles its own core
// and calls at most `fanout` roots below it, and so on. A subtree is a list of
// core ids whose first entry is its root; the tree is cut afresh for every
// operation over just the cores taking part (a window's due cores), so idle
// cores cost no calls and the depth is log_fanout of the active cores. A
// core's messages of a window travel the same way when they go to more cores
// than the fan-out: through a tree over their destinations.

export const MAX_FANOUT = 8;

/**
 * Cut `cores` (ascending ids, or items in core order) into at most `fanout`
 * contiguous subtrees of near-equal size. Contiguous ids are neighbours in
 * the machine (cores of a package are numbered together), so subtrees follow
 * the machine's packages.
 */
export function subtrees<T>(cores: readonly T[], fanout: number): T[][] {
  const n = cores.length;
  const k = Math.min(fanout, n);
  const out: T[][] = [];
  for (let i = 0, start = 0; i < k; i++) {
    const size = Math.floor(n / k) + (i < n % k ? 1 : 0);
    out.push(cores.slice(start, start + size));
    start += size;
  }
  return out;
}

export function checkFanout(fanout: number): void {
  if (!Number.isInteger(fanout) || fanout < 2 || fanout > MAX_FANOUT) {
    throw new RangeError(`fanout must be an integer in [2, ${MAX_FANOUT}]`);
  }
}

/**
 * Wait for every call, then fail with the first error if any failed: a
 * failing subtree never leaves its siblings running unobserved.
 */
export async function settleAll<T>(calls: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(calls);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

// Typed capabilities and Barrelfish's retype rules, as pure functions.
//
// As in Barrelfish's mapping database, derivation is not stored as pointers:
// it follows from the caps themselves. d descends from a when a's type can be
// retyped (transitively) into d's and d's physical range lies inside a's;
// two caps of one type and one range are copies. That makes every rule here a
// function of the caps alone, so a monitor's replica on another core, which
// holds copies but not this core's table, reaches the same verdict.
import type { CapErrorCode } from "./errors.ts";

export type CapType = "RAM" | "Frame" | "CNode" | "VNode" | "Dispatcher" | "EndPoint";

export const CAP_TYPES: readonly CapType[] = ["RAM", "Frame", "CNode", "VNode", "Dispatcher", "EndPoint"];

/**
 * A capability: the type of the object it names and the physical range the
 * object occupies. An EndPoint names its listening dispatcher and carries that
 * dispatcher's range; it owns no memory of its own.
 */
export type Capability = {
  readonly type: CapType;
  readonly base: number;
  readonly size: number;
};

export const BASE_PAGE_SIZE = 4096;
/** Physical and virtual addresses are below 2^48 (x86-64). */
export const ADDRESS_LIMIT = 2 ** 48;
/** One capability table entry: a 64-byte cache line (Barrelfish's OBJBITS_CTE = 6). */
export const CTE_BYTES = 64;
/** The smallest CNode: an L2 CNode of 256 slots. */
export const MIN_CNODE_BYTES = 256 * CTE_BYTES;
/** A dispatcher control block (Barrelfish's OBJBITS_DISPATCHER = 10). */
export const DISPATCHER_BYTES = 1024;
/** A page table of any level. */
export const VNODE_BYTES = BASE_PAGE_SIZE;

/** What each type may be retyped into. */
const RETYPES: Record<CapType, readonly CapType[]> = {
  RAM: ["RAM", "Frame", "CNode", "VNode", "Dispatcher"],
  Frame: ["Frame"],
  Dispatcher: ["EndPoint"],
  CNode: [],
  VNode: [],
  EndPoint: [],
};

/** Object sizes each type allows: [smallest, largest] bytes, powers of two. */
const OBJ_SIZES: Record<Exclude<CapType, "EndPoint">, [number, number]> = {
  RAM: [BASE_PAGE_SIZE, ADDRESS_LIMIT],
  Frame: [BASE_PAGE_SIZE, ADDRESS_LIMIT],
  CNode: [MIN_CNODE_BYTES, ADDRESS_LIMIT],
  VNode: [VNODE_BYTES, VNODE_BYTES],
  Dispatcher: [DISPATCHER_BYTES, DISPATCHER_BYTES],
};

export type RetypeCheck = { ok: true } | { ok: false; code: CapErrorCode; reason: string };

/** Whether an object of type `from` can become (in one retype or several) an object of type `to`. */
function derivable(from: CapType, to: CapType): boolean {
  if (from === "RAM") return true; // RAM -> Dispatcher -> EndPoint closes the set
  return RETYPES[from].includes(to);
}

function isPowerOfTwo(x: number): boolean {
  if (!Number.isInteger(x) || x < 1) return false;
  while (x % 2 === 0) x /= 2;
  return x === 1;
}

export function isCopy(a: Capability, b: Capability): boolean {
  return a.type === b.type && a.base === b.base && a.size === b.size;
}

/** Whether d was derived from a (or from a copy of a). */
export function isDescendant(d: Capability, a: Capability): boolean {
  return (
    derivable(a.type, d.type) && d.base >= a.base && d.base + d.size <= a.base + a.size && !isCopy(d, a)
  );
}

/** Why a cap handed in from outside (boot, another core) is malformed, or null. */
export function checkCapability(cap: Capability): string | null {
  if (!CAP_TYPES.includes(cap.type)) return `unknown type ${String(cap.type)}`;
  if (!Number.isSafeInteger(cap.base) || cap.base < 0) return `base ${cap.base} is not an address`;
  if (!Number.isSafeInteger(cap.size) || cap.size < 1) return `size ${cap.size} is not a positive integer`;
  if (cap.base + cap.size > ADDRESS_LIMIT) return "range ends above 2^48";
  return null;
}

function fail(code: CapErrorCode, reason: string): RetypeCheck {
  return { ok: false, code, reason };
}

/**
 * Whether `parent` may be retyped into `count` objects of `newType`, each
 * `objSize` bytes, laid out from the parent's base. `known` is any set of
 * caps the checker knows of (its descendants matter; the rest is ignored).
 * EndPoints are made one per call with objSize 0: they name the dispatcher
 * and take no memory, so a dispatcher may have any number of them.
 */
export function checkRetype(
  parent: Capability,
  newType: CapType,
  objSize: number,
  count: number,
  known: Iterable<Capability>,
): RetypeCheck {
  if (!RETYPES[parent.type].includes(newType)) return fail("type_mismatch", `${parent.type} cannot be retyped to ${newType}`);
  if (!Number.isInteger(count) || count < 1) return fail("bad_count", `count ${count} is not a positive integer`);
  if (newType === "EndPoint") {
    if (objSize !== 0) return fail("bad_size", "an EndPoint takes no memory: objSize must be 0");
    if (count !== 1) return fail("bad_count", "EndPoints are made one at a time");
    return { ok: true };
  }
  for (const d of known) {
    if (isDescendant(d, parent)) {
      return fail("has_descendants", `${parent.type} at 0x${parent.base.toString(16)} was already retyped (revoke it first)`);
    }
  }
  const [min, max] = OBJ_SIZES[newType];
  if (!isPowerOfTwo(objSize) || objSize < min || objSize > max) {
    const want = min === max ? `${min}` : `a power of two from ${min}`;
    return fail("bad_size", `a ${newType} is ${want} bytes, not ${objSize}`);
  }
  // A same-type object as large as its parent would be indistinguishable from a copy.
  if (newType === parent.type && objSize >= parent.size) {
    return fail("bad_size", `splitting a ${parent.type} of ${parent.size} bytes needs smaller pieces than ${objSize}`);
  }
  if (count * objSize > parent.size) {
    return fail("too_small", `${count} x ${objSize} bytes do not fit in ${parent.size}`);
  }
  if (parent.base % objSize !== 0) {
    return fail("misaligned", `base 0x${parent.base.toString(16)} is not aligned to ${objSize}`);
  }
  return { ok: true };
}

/** The caps a valid retype creates, in address order. */
export function retypeChildren(parent: Capability, newType: CapType, objSize: number, count: number): Capability[] {
  if (newType === "EndPoint") return [{ type: "EndPoint", base: parent.base, size: parent.size }];
  return Array.from({ length: count }, (_, i) => ({ type: newType, base: parent.base + i * objSize, size: objSize }));
}

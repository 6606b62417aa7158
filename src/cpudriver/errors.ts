// Misuse of the CPU driver is caught locally, at the trap ("capability checks
// are local", SOSP 2009 section 4.4): every refusal is one of these codes.

export type CapErrorCode =
  | "no_such_cap"
  | "bad_cap"
  | "type_mismatch"
  | "has_descendants"
  | "in_use"
  | "too_small"
  | "bad_size"
  | "bad_count"
  | "misaligned";

export type KernelErrorCode =
  | CapErrorCode
  | "bad_vaddr"
  | "already_mapped"
  | "not_mapped"
  | "no_such_dispatcher"
  | "dispatcher_exists"
  | "endpoint_full";

export class KernelError extends Error {
  constructor(
    readonly code: KernelErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = "KernelError";
  }
}

/** A refused capability operation. */
export class CapError extends KernelError {
  declare readonly code: CapErrorCode;
  constructor(code: CapErrorCode, message: string) {
    super(code, message);
    this.name = "CapError";
  }
}

// The per-core CPU driver: capabilities, dispatch, LRPC and the MMU of one core.
export * from "./capability.ts";
export * from "./cpu-driver.ts";
export * from "./cspace.ts";
export * from "./dispatcher.ts";
export * from "./errors.ts";
export * from "./mmu.ts";
export * from "./scheduler.ts";
export * from "./boot.ts";

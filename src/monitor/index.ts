export * from "./urpc.ts";
export * from "./kernel.ts";

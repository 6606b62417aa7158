export * from "./urpc.ts";
export * from "./routes.ts";
export * from "./replica.ts";
export * from "./agreement.ts";
export * from "./kernel.ts";
export type { Completion } from "./monitor-core.ts";

// The per-core monitor: URPC channels, routes, the replica and the agreement protocols.
export * from "./urpc.ts";
export * from "./flounder.ts";
export * from "./routes.ts";
export * from "./replica.ts";
export * from "./agreement.ts";
export * from "./monitor.ts";
export * from "./placement.ts";
export * from "./replicated-state.ts";
export * from "./oplog.ts";
export type { Completion, MonitorCore } from "./monitor-core.ts";
export type { RetypeRound } from "./twopc.ts";

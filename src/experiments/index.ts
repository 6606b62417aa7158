export * from "./experiment.ts";
export * from "./system.ts";
export * from "./registry.ts";
export * from "./routing.ts";
export * from "./paper.ts";

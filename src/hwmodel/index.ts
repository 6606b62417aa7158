export * from "./description.ts";
export * from "./machine.ts";
export * from "./defaults.ts";
export * from "./cost.ts";
export * from "./presets.ts";
export * from "./latency-csv.ts";
export * from "./calibration.ts";
export * from "./summary.ts";

// What runs on each simulated core: Barrelfish's OS node (CPU driver, monitor
// and the application's dispatcher) or an IPI-based baseline kernel, both
// hosting the workload's application.
export * from "./application.ts";
export * from "./os-node.ts";
export * from "./ipi-kernel.ts";

// The host functions the kernel layers may use: the few that Node and workerd
// both provide with these signatures. Only the kernel project sees this file;
// the Worker and Node projects get the same names from their runtime's types.
declare function setTimeout(callback: (...args: never[]) => void, ms?: number): unknown;
declare const performance: { now(): number };

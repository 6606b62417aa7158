// The memory system on virtual time: each core's side of the cache-line model
// (its lines, its store buffer, the lines it spins on) and the home agents
// that serialise transactions, all as hardware events between cores.
export * from "./memory.ts";

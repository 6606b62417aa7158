// The import graph of DESIGN.md's layers, checked by `npm test` (depcruise):
// no cycles, type-only imports included, and imports point down only.
//
//   api, cli                 the faces: HTTP, the command line
//   core-object              Durable Objects only
//   experiments              the workloads
//   kernel                   what runs on a core: OS node (CPU driver + monitor) or an IPI baseline
//   monitor, cpudriver       the per-core OS
//   memory                   the memory system: cache lines, homes, store buffers (hardware events)
//   engine                   virtual time, below the kernel it runs
//   skb                      knowledge base, on the hardware model
//   hwmodel                  machines and costs
const WORKER = ["^src/env\\.ts$"]; // the Worker's bindings: for the objects and the HTTP app only
const layer = (name, allowed, extra = []) => ({
  name: `layer-${name}`,
  comment: `src/${name} imports only ${allowed.length ? allowed.join(", ") : "nothing of the project"} (and src/json.ts)`,
  severity: "error",
  from: { path: `^src/${name}/` },
  to: { path: "^src/", pathNot: [`^src/${name}/`, "^src/json\\.ts$", "^src/host\\.d\\.ts$", ...allowed.map((l) => `^src/${l}/`), ...extra] },
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "The import graph has no cycles, type-only imports included.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    layer("hwmodel", []),
    layer("skb", ["hwmodel"]),
    layer("engine", []),
    layer("cpudriver", ["hwmodel"]),
    layer("memory", ["hwmodel", "engine"]),
    layer("monitor", ["hwmodel", "skb", "engine", "cpudriver", "memory"]),
    layer("kernel", ["hwmodel", "engine", "cpudriver", "memory", "monitor"]),
    layer("experiments", ["hwmodel", "skb", "engine", "cpudriver", "memory", "monitor", "kernel"]),
    layer("core-object", ["hwmodel", "skb", "engine", "cpudriver", "memory", "monitor", "kernel", "experiments"], WORKER),
    layer("api", ["hwmodel", "skb", "engine", "cpudriver", "memory", "monitor", "kernel", "experiments", "core-object"], WORKER),
    layer("cli", ["hwmodel", "skb", "engine", "cpudriver", "memory", "monitor", "kernel", "experiments", "core-object"]),
    {
      name: "src-stands-alone",
      comment: "The product never imports the bench or the tests.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(bench|test)/" },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^test/fixtures/" },
  },
};

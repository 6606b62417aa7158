// Types `env` and `exports` from "cloudflare:workers" (and "cloudflare:test")
// in the workerd tests: the Worker's bindings, and its main module.
import type { Env } from "../src/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends EdgefishEnv {}
    interface GlobalProps {
      mainModule: typeof import("./worker.ts");
      durableNamespaces: "RpcProbe" | "Core" | "Simulation" | "Run" | "Registry";
    }
  }
}

type EdgefishEnv = Env;

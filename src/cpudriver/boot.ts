// Booting a core's CPU driver the way Barrelfish's init and memory server
// would: each domain gets RAM, carved into a Dispatcher, a root VNode and
// Frames, and its dispatcher is spawned. Boot happens before virtual time 0,
// so its cycles are not charged to any run.
import type { CostModel } from "../hwmodel/index.ts";
import { CpuDriver } from "./cpu-driver.ts";
import type { CapRef, DomainId } from "./cspace.ts";

export const MiB = 1 << 20;
export const MONITOR_DOMAIN: DomainId = 0;
export const APP_DOMAIN: DomainId = 1;
/** The first of the pages every core of the application domain maps at boot; the unmap experiments take them away. */
export const SHARED_PAGE = 0x40000000;
export const PAGE_BYTES = 4096;

export interface DomainCaps {
  ram: CapRef;
  dispatcher: CapRef;
  vnode: CapRef;
  /** Four 64 KiB Frames. */
  frames: CapRef[];
}

/** Give `domain` 1 MiB of RAM at `base`, carve it and spawn its dispatcher. */
export function bootDomain(cpu: CpuDriver, domain: DomainId, base: number): DomainCaps {
  const ram = cpu.insertCap({ type: "RAM", base, size: MiB }, domain).ref;
  const [d, v, f] = cpu.retype(domain, ram, "RAM", MiB / 4, 3).refs;
  const [dispatcher] = cpu.retype(domain, d, "Dispatcher", 1024, 1).refs;
  const [vnode] = cpu.retype(domain, v, "VNode", 4096, 1).refs;
  const frames = cpu.retype(domain, f, "Frame", 64 * 1024, 4).refs;
  cpu.spawn(domain, dispatcher, vnode);
  return { ram, dispatcher, vnode, frames };
}

export interface BootedCore {
  cpu: CpuDriver;
  /** The application's LRPC endpoint to its local monitor, and the monitor's back. */
  toMonitor: CapRef;
  toApp: CapRef;
}

/**
 * The application's domain on a core: its dispatcher, with `pages` shared
 * pages mapped from SHARED_PAGE on, all of them in its TLB.
 */
export function bootApplication(cpu: CpuDriver, pages: number): DomainCaps {
  const app = bootDomain(cpu, APP_DOMAIN, (2 * cpu.core + 2) * MiB);
  cpu.map(APP_DOMAIN, SHARED_PAGE, app.frames[0], pages);
  for (let i = 0; i < pages; i++) cpu.translate(APP_DOMAIN, SHARED_PAGE + i * PAGE_BYTES);
  return app;
}

/**
 * A core of the simulated multikernel: its monitor's domain and the
 * application's dispatcher (bootApplication), joined by LRPC endpoints both
 * ways.
 */
export function bootCore(core: number, cost: CostModel, pages = 1): BootedCore {
  const cpu = new CpuDriver(core, cost);
  const monitor = bootDomain(cpu, MONITOR_DOMAIN, (2 * core + 1) * MiB);
  const app = bootApplication(cpu, pages);
  // An EndPoint is retyped from the target's Dispatcher cap by its owner and given to the caller.
  const endpoint = (owner: DomainId, caps: DomainCaps, holder: DomainId) => {
    const [ep] = cpu.retype(owner, caps.dispatcher, "EndPoint", 0, 1).refs;
    return cpu.copy(owner, ep, holder).ref;
  };
  return { cpu, toMonitor: endpoint(MONITOR_DOMAIN, monitor, APP_DOMAIN), toApp: endpoint(APP_DOMAIN, app, MONITOR_DOMAIN) };
}

// Every CLI command, in the order `--help` lists them.
import type { Command } from "../command.ts";
import { calibrate } from "./calibrate.ts";
import { fitCommand } from "./fit.ts";
import { machine } from "./machine.ts";
import { machines } from "./machines.ts";
import { report } from "./report.ts";
import { run } from "./run.ts";
import { skb } from "./skb.ts";

export const commands: Command[] = [machines, machine, calibrate, fitCommand, run, report, skb];

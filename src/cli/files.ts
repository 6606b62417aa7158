// The files a command reads and writes. A file it will write is checked
// before the command runs, so a long run is not lost to a typo in a path;
// the write itself happens after the result is printed.
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UsageError } from "./args.ts";

/** Why a file operation failed, in words: the error code's meaning, or the message. */
export function fileReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOENT: "no such file or directory",
    ENOTDIR: "a part of the path is not a directory",
    EISDIR: "it is a directory",
    EACCES: "permission denied",
    EPERM: "permission denied",
    EROFS: "read-only file system",
    ENOSPC: "no space left on the device",
  };
  return (code && words[code]) ?? (e as Error).message;
}

export function readText(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`--${flag}: cannot read ${path}: ${fileReason(e)}`);
  }
}

/** A UsageError naming the flag unless `path` can be written: its directory exists and takes files, and it is no directory itself. */
export function checkWritable(flag: string, path: string): void {
  const refuse = (why: string) => new UsageError(`--${flag}: cannot write ${path}: ${why}`);
  if (!path) throw new UsageError(`--${flag}: must be a file name, got ""`);
  const dir = dirname(resolve(path));
  try {
    const parent = statSync(dir, { throwIfNoEntry: false });
    if (!parent) throw refuse(`the directory ${dir} does not exist`);
    if (!parent.isDirectory()) throw refuse(`${dir} is not a directory`);
    const target = statSync(path, { throwIfNoEntry: false });
    if (target?.isDirectory()) throw refuse("it is a directory");
    accessSync(target ? path : dir, constants.W_OK);
  } catch (e) {
    throw e instanceof UsageError ? e : refuse(fileReason(e));
  }
}

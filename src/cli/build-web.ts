// `npm run build`: the demo's static assets (wrangler.toml's [assets], the
// web/ folder). The page is the project's own ES modules, served as they are;
// the libraries it uses are pinned in package.json and copied here from
// node_modules into web/vendor/ (git-ignored), so that nothing is fetched from
// elsewhere at run time. Observable Plot comes as a package of ES modules
// that import d3 by name, so esbuild bundles it (with the d3 it uses) into one
// module; the others ship a file the browser loads as it is. wrangler runs
// this before `wrangler dev` and `wrangler deploy` ([build] in wrangler.toml),
// and `npm test` before its tests. It does nothing when web/vendor/ already
// holds the pinned versions.
import "./require-node.ts";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { build } from "esbuild";

const ROOT = resolve(import.meta.dirname, "../..");
const VENDOR = resolve(ROOT, "web/vendor");
const MANIFEST = resolve(VENDOR, "manifest.json");

const version = (pkg: string): string => (JSON.parse(readFileSync(resolve(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
const fromPackage = (pkg: string, file: string): string => resolve(ROOT, "node_modules", pkg, file);

/** Each library: what it is for, and how its files get into web/vendor/. */
const LIBRARIES: { pkg: string; why: string; make(): Promise<string[]> | string[] }[] = [
  {
    pkg: "@observablehq/plot",
    why: "the results charts (SVG: downloadable as it is)",
    async make() {
      await build({
        stdin: { contents: 'export * from "@observablehq/plot";', resolveDir: ROOT, loader: "js" },
        bundle: true,
        format: "esm",
        minify: true,
        target: "es2022",
        legalComments: "eof",
        outfile: resolve(VENDOR, "plot.js"),
        logLevel: "warning",
      });
      return ["plot.js"];
    },
  },
  {
    pkg: "@viz-js/viz",
    why: "Graphviz in WebAssembly, for the SKB's DOT output (one ES module, the WebAssembly inside)",
    make: () => copy("@viz-js/viz", "dist/viz.js", "viz.js"),
  },
  {
    pkg: "swagger-ui-dist",
    why: "the interactive API reference at /docs",
    make: () => [
      ...copy("swagger-ui-dist", "swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"),
      ...copy("swagger-ui-dist", "swagger-ui.css", "swagger-ui/swagger-ui.css"),
      ...copy("swagger-ui-dist", "LICENSE", "swagger-ui/LICENSE"),
    ],
  },
];

function copy(pkg: string, from: string, to: string): string[] {
  const target = resolve(VENDOR, to);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(fromPackage(pkg, from), target);
  return [to];
}

async function main(): Promise<void> {
  const versions = Object.fromEntries(LIBRARIES.map((l) => [l.pkg, version(l.pkg)]));
  const stamp = JSON.stringify(versions);
  if (existsSync(MANIFEST)) {
    const known = JSON.parse(readFileSync(MANIFEST, "utf8")) as { versions: Record<string, string>; files: string[] };
    if (JSON.stringify(known.versions) === stamp && known.files.every((f) => existsSync(resolve(VENDOR, f)))) return;
  }
  rmSync(VENDOR, { recursive: true, force: true });
  mkdirSync(VENDOR, { recursive: true });
  const files: string[] = [];
  for (const lib of LIBRARIES) files.push(...(await lib.make()));
  writeFileSync(MANIFEST, JSON.stringify({ versions, files, why: Object.fromEntries(LIBRARIES.map((l) => [l.pkg, l.why])) }, null, 2) + "\n");
  console.error(`web/vendor: ${LIBRARIES.map((l) => `${l.pkg} ${versions[l.pkg]}`).join(", ")}`);
}

main().catch((e: unknown) => {
  console.error(`npm run build: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

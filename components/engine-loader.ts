/**
 * Loads the migration engine (migrator/index) inside the dynamic-provider host.
 *
 * The host is a plain `node` process started by the Pulumi engine in the project directory; it runs
 * the serialized provider text and has no TypeScript support of its own. The provider therefore
 * never captures the engine (that would serialize the engine by value); it calls loadEngine() at
 * run time, which finds the engine relative to the host's working directory:
 *   1. $POLARDB_TO_RDS_ENGINE, a path to a module exporting the engine API, when set;
 *   2. <project>/migrator/index.ts, compiled on the fly with the project's own `typescript`
 *      (so the run uses the same source as the program);
 *   3. <project>/dist/migrator/index.js, the build `npm ci` / `npm run build` leaves.
 */
import type * as Engine from "../migrator";

export type EngineModule = typeof Engine;

type Loader = (module: { _compile(code: string, filename: string): void }, filename: string) => void;

export function loadEngine(): EngineModule {
  const path = require("node:path") as typeof import("node:path");
  const fs = require("node:fs") as typeof import("node:fs");
  const override = process.env.POLARDB_TO_RDS_ENGINE;
  if (override) return require(path.resolve(override)) as EngineModule;
  const root = process.cwd();
  const source = path.join(root, "migrator", "index.ts");
  const built = path.join(root, "dist", "migrator", "index.js");
  let ts: typeof import("typescript") | undefined;
  try {
    ts = require(require.resolve("typescript", { paths: [root] })) as typeof import("typescript");
  } catch {
    ts = undefined;
  }
  if (fs.existsSync(source) && ts) {
    const compiler = ts;
    const extensions = require.extensions as unknown as Record<string, Loader>;
    if (!extensions[".ts"]) {
      extensions[".ts"] = (module, filename) => {
        const out = compiler.transpileModule(fs.readFileSync(filename, "utf8"), {
          fileName: filename,
          compilerOptions: {
            module: compiler.ModuleKind.CommonJS,
            target: compiler.ScriptTarget.ES2022,
            esModuleInterop: true,
            resolveJsonModule: true,
            inlineSourceMap: true,
          },
        });
        module._compile(out.outputText, filename);
      };
    }
    return require(source) as EngineModule;
  }
  if (fs.existsSync(built)) return require(built) as EngineModule;
  throw new Error(
    `cannot find the migration engine from ${root}: expected migrator/index.ts (with typescript installed) or ` +
      `dist/migrator/index.js (run npm ci or npm run build in the project directory), or set POLARDB_TO_RDS_ENGINE`,
  );
}

/** The engine's own redaction (each secret and its URL-encoded form as ***), for provider messages. */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  return loadEngine().redact(text, secrets.map((x) => x ?? undefined));
}

/** Runs the built CLI (`dist/migrator/cli.js`, built by `pretest`) as a user would, and checks that no password leaks. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { adminConnection } from "./mariadb";
import { servers } from "./servers";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const CLI = join(__dirname, "..", "..", "dist", "migrator", "cli.js");

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, SOURCE_PASSWORD: undefined, TARGET_PASSWORD: undefined, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const all = stdout + stderr;
      const { source, target } = servers();
      for (const secret of [source.adminPassword, target.adminPassword, ...Object.values(env).filter((v): v is string => !!v && /pass|pw/i.test(v))]) {
        if (all.includes(secret)) reject(new Error(`the CLI printed a password: ${all}`));
      }
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** URLs without the password, and the env that carries them, for the harness servers. */
export function cliEndpoints(): { source: string; target: string; env: NodeJS.ProcessEnv } {
  const { source, target } = servers();
  return {
    source: `mysql://${source.adminUser}@127.0.0.1:${source.port}`,
    target: `mysql://${target.adminUser}@127.0.0.1:${target.port}`,
    env: { SOURCE_PASSWORD: source.adminPassword, TARGET_PASSWORD: target.adminPassword },
  };
}

/**
 * Starts `migrate` with `args` and kills it with SIGKILL once `chunks` key ranges are committed on
 * the target (read from the resume ledger in `ledgerDb`). Returns how many were committed.
 */
export async function killMigrateMidway(args: string[], env: NodeJS.ProcessEnv, ledgerDb: string, chunks: number): Promise<number> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: "ignore" });
  const closed = new Promise((r) => child.on("close", r));
  const c = await adminConnection(servers().target);
  let done = 0;
  try {
    for (let i = 0; i < 400 && done < chunks; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const [rows] = await c.query("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = '_polardb_to_rds_ledger'", [ledgerDb]);
      if (Number((rows as { n: string }[])[0].n) === 0) continue;
      const [n] = await c.query(`SELECT COUNT(*) AS n FROM \`${ledgerDb.replace(/`/g, "``")}\`._polardb_to_rds_ledger WHERE item LIKE 'c:%'`);
      done = Number((n as { n: string }[])[0].n);
    }
  } finally {
    child.kill("SIGKILL");
    await closed;
    await c.end();
  }
  return done;
}

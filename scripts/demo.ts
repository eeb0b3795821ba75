/**
 * npm run demo: starts a local source and target MariaDB, seeds the sample database `shop`,
 * runs the CLI's precheck and migrate exactly as a user would, compares row counts and stops the
 * servers (also on failure or Ctrl-C).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { adminConnection, LocalServer, startMariaDb, stopMariaDb } from "../test/support/mariadb";
import { seedShop } from "./sample-db";

const CLI = join(__dirname, "..", "migrator", "cli.js");

function cli(args: string[], env: NodeJS.ProcessEnv): number {
  console.log(`\n$ polardb-to-rds ${args.join(" ")}`);
  const r = spawnSync(process.execPath, [CLI, ...args], { stdio: "inherit", env: { ...process.env, ...env } });
  return r.status ?? 1;
}

async function rowCounts(server: LocalServer, db: string): Promise<Record<string, number>> {
  const c = await adminConnection(server);
  try {
    const [tables] = await c.query("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1", [db]);
    const out: Record<string, number> = {};
    for (const { t } of tables as { t: string }[]) {
      const [[row]] = (await c.query(`SELECT COUNT(*) AS n FROM \`${db}\`.\`${t}\``)) as unknown as [{ n: string }[]];
      out[t] = Number(row.n);
    }
    return out;
  } finally {
    await c.end();
  }
}

async function main(): Promise<number> {
  const servers: LocalServer[] = [];
  const stopAll = () => Promise.all(servers.map((s) => stopMariaDb(s)));
  process.on("SIGINT", () => void stopAll().then(() => process.exit(130)));
  try {
    console.log("starting local source and target MariaDB servers ...");
    servers.push(...(await Promise.all([startMariaDb({ name: "demo-source" }), startMariaDb({ name: "demo-target" })])));
    const [source, target] = servers;
    const c = await adminConnection(source);
    await seedShop(c);
    await c.end();
    console.log(`source: 127.0.0.1:${source.port}   target: 127.0.0.1:${target.port}   sample database: shop`);

    // Passwords come from the environment, so they are not in the command line or the output.
    const env = { SOURCE_PASSWORD: source.adminPassword, TARGET_PASSWORD: target.adminPassword };
    const common = ["--source", `mysql://admin@127.0.0.1:${source.port}`, "--target", `mysql://admin@127.0.0.1:${target.port}`, "--include", "shop"];
    if (cli(["precheck", ...common], env) !== 0) return 1;
    if (cli(["migrate", ...common], env) !== 0) return 1;

    const [a, b] = await Promise.all([rowCounts(source, "shop"), rowCounts(target, "shop")]);
    console.log("\nrow counts, source vs target:");
    let same = true;
    for (const t of Object.keys(a)) {
      same &&= a[t] === b[t];
      console.log(`  ${t.padEnd(12)} ${String(a[t]).padStart(7)} ${String(b[t] ?? "missing").padStart(7)}  ${a[t] === b[t] ? "equal" : "DIFFERENT"}`);
    }
    console.log(same ? "\ndemo finished: every table arrived complete" : "\ndemo FAILED: row counts differ");
    return same ? 0 : 1;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);

/**
 * npm run bench [-- --scale 1 --threads 2 --json FILE --tools a,b --server-arg=--opt=value]
 *
 * Starts a local source and target MariaDB (the test harness, binary log on at both), generates
 * the deterministic dataset of scripts/bench-data.ts on the source, then copies database `bench`
 * into an empty target once with each tool:
 *   mysqldump       mariadb-dump --single-transaction --quick | mariadb
 *   mydumper        mydumper + myloader --enable-binlog, same thread count
 *   load-data       the target's load limit: SELECT ... INTO OUTFILE on the source (not timed),
 *                   then LOAD DATA INFILE into tables created from the source's DDL (timed)
 *   polardb-to-rds  this project's CLI, `migrate --threads N`
 * After each copy every table is checked against the source (row count, CHECKSUM TABLE, and
 * columns/indexes/foreign keys); a wrong copy is reported as WRONG and not timed. Prints one
 * table and writes the same as JSON with --json. Servers and temp files are removed in all cases.
 * Passwords only travel in defaults files (mode 600, temp dir) and environment variables.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Connection } from "mysql2/promise";
import { adminConnection, LocalServer, startMariaDb, stopMariaDb } from "../test/support/mariadb";
import { BENCH_DB, generateBenchData } from "./bench-data";

const CLI = join(__dirname, "..", "migrator", "cli.js");
const TIME = "/usr/bin/time";
const MB = 1024 * 1024;

const TOOLS = ["mysqldump", "mydumper", "load-data", "polardb-to-rds", "polardb-to-rds+verify"] as const;
type Tool = (typeof TOOLS)[number];
const LABEL: Record<Tool, string> = {
  mysqldump: "mysqldump | mysql",
  mydumper: "mydumper + myloader",
  "load-data": "LOAD DATA INFILE (limit)",
  "polardb-to-rds": "polardb-to-rds",
  "polardb-to-rds+verify": "polardb-to-rds + verify",
};

interface Flags {
  scale: number;
  threads: number;
  json?: string;
  tools: Tool[];
  serverArgs: string[];
}

interface TableRef {
  name: string;
  rows: number;
  bytes: number;
  checksum: string | null;
  schema: string;
  /** First primary key column when it is an integer: the load limit cuts the table into ranges of it. */
  intKey?: string;
}

interface Dataset {
  rows: number;
  bytes: number;
  tables: TableRef[];
}

interface ToolResult {
  tool: Tool;
  label: string;
  status: "ok" | "WRONG" | "FAILED" | "skipped";
  /** Timed seconds (see `timed`); null when the copy is wrong or failed. */
  seconds: number | null;
  timed: string;
  mbPerSec: number | null;
  rowsPerSec: number | null;
  vsMysqldump: number | null;
  vsLoadLimit: number | null;
  /** Largest max RSS of the tool's processes (GNU time %M), MB. */
  peakRssMb: number | null;
  parts: Record<string, number>;
  /** Wall seconds measured even when the copy was wrong, for diagnosis only. */
  measuredSeconds?: number;
  problems: string[];
  commands: string[];
  engineReport?: { totals: unknown; ok: boolean; verified: boolean };
}

// ---------------------------------------------------------------------------------------------
// process bookkeeping: every child runs in its own process group, killed by its id on Ctrl-C

const children = new Set<ChildProcess>();
let interrupted = false;
const secrets: string[] = [];

function redact(s: string): string {
  let out = s;
  for (const p of secrets) if (p) out = out.split(p).join("***");
  return out;
}

function log(msg: string): void {
  process.stdout.write(redact(msg) + "\n");
}

interface RunResult {
  code: number;
  seconds: number;
  rssKb: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs argv under GNU time (peak RSS = ru_maxrss of the waited-for process tree, i.e. the
 * largest single process) and measures wall seconds from spawn to exit.
 */
async function runTimed(
  argv: string[],
  opts: { env?: NodeJS.ProcessEnv; display: string; dir: string; timeoutSeconds: number; memoryLimitMb?: number },
): Promise<RunResult> {
  log(`  $ ${opts.display}`);
  const rssFile = join(opts.dir, `rss-${Date.now()}-${Math.random().toString(36).slice(2, 6)}.txt`);
  const haveTime = existsSync(TIME);
  // A misbehaving tool must not take the (shared) machine's memory: cap its address space.
  const limited = opts.memoryLimitMb ? ["bash", "-c", `ulimit -v ${opts.memoryLimitMb * 1024} && exec "$@"`, "bash", ...argv] : argv;
  const cmd = haveTime ? [TIME, "-o", rssFile, "-f", "%M", ...limited] : limited;
  const began = performance.now();
  const child = spawn(cmd[0], cmd.slice(1), {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...opts.env },
    detached: true,
  });
  children.add(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on("data", (b: Buffer) => out.push(b));
  child.stderr!.on("data", (b: Buffer) => {
    err.push(b);
    if (err.length > 200) err.splice(0, err.length - 200);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  }, opts.timeoutSeconds * 1000);
  const code = await new Promise<number>((resolvePromise) => {
    child.on("error", () => resolvePromise(127));
    child.on("close", (c, sig) => resolvePromise(c ?? (sig ? 128 : 1)));
  });
  clearTimeout(timer);
  const seconds = (performance.now() - began) / 1000;
  children.delete(child);
  if (timedOut) err.push(Buffer.from(`\nkilled after the bench's time limit of ${opts.timeoutSeconds} s`));
  let rssKb: number | null = null;
  if (haveTime && existsSync(rssFile)) {
    const last = readFileSync(rssFile, "utf8").trim().split("\n").pop() ?? "";
    rssKb = /^\d+$/.test(last) ? Number(last) : null;
    rmSync(rssFile, { force: true });
  }
  return { code, seconds, rssKb, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

function killChildren(): void {
  for (const c of children) {
    try {
      if (c.pid) process.kill(-c.pid, "SIGKILL"); // its own process group (detached)
    } catch {
      /* gone */
    }
  }
}

// ---------------------------------------------------------------------------------------------
// servers and SQL helpers

async function rows<T>(c: Connection, sql: string, params?: unknown[]): Promise<T[]> {
  const [r] = await c.query(sql, params);
  return r as T[];
}

function defaultsFile(dir: string, name: string, s: LocalServer): string {
  const path = join(dir, `${name}.cnf`);
  writeFileSync(path, `[client]\nhost=${s.host}\nport=${s.port}\nuser=${s.adminUser}\npassword=${s.adminPassword}\n`, { mode: 0o600 });
  return path;
}

/**
 * Flushes the buffer pool's dirty pages (at a temporarily raised I/O capacity) so that a tool does
 * not pay for the previous one's writes; the server's settings are restored afterwards.
 */
async function settle(s: LocalServer): Promise<void> {
  const c = await adminConnection(s);
  const began = performance.now();
  try {
    const [orig] = await rows<{ pct: string; cap: string; max: string }>(
      c,
      "SELECT @@GLOBAL.innodb_max_dirty_pages_pct AS pct, @@GLOBAL.innodb_io_capacity AS cap, @@GLOBAL.innodb_io_capacity_max AS max",
    );
    await c.query("SET GLOBAL innodb_io_capacity_max = 100000, GLOBAL innodb_io_capacity = 50000, GLOBAL innodb_max_dirty_pages_pct = 0");
    try {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const [{ Value }] = await rows<{ Value: string }>(c, "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'");
        if (Number(Value) <= 16 || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await c.query(
        `SET GLOBAL innodb_max_dirty_pages_pct = ${Number(orig.pct)}, GLOBAL innodb_io_capacity = ${Number(orig.cap)}, GLOBAL innodb_io_capacity_max = ${Number(orig.max)}`,
      );
    }
  } finally {
    await c.end();
  }
  if (process.env.BENCH_VERBOSE) log(`  (${s.name}: dirty pages flushed in ${fmt((performance.now() - began) / 1000)} s)`);
}

async function resetTarget(target: LocalServer): Promise<void> {
  const c = await adminConnection(target);
  try {
    await c.query(`DROP DATABASE IF EXISTS \`${BENCH_DB}\``);
    await c.query("RESET MASTER");
  } finally {
    await c.end();
  }
  await settle(target);
}

/** Columns, indexes, foreign keys and table options of every table, one string per table. */
async function schemaFingerprints(c: Connection): Promise<Map<string, string>> {
  const parts = new Map<string, string[]>();
  const add = (t: string, line: string) => {
    if (!parts.has(t)) parts.set(t, []);
    parts.get(t)!.push(line);
  };
  const q = async (sql: string) => rows<Record<string, unknown>>(c, sql, [BENCH_DB]);
  for (const r of await q(
    `SELECT TABLE_NAME t, ENGINE, TABLE_COLLATION, ROW_FORMAT, CREATE_OPTIONS, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`,
  ))
    add(String(r.t), `table ${JSON.stringify(r)}`);
  for (const r of await q(
    `SELECT TABLE_NAME t, ORDINAL_POSITION, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_COMMENT
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
  ))
    add(String(r.t), `column ${JSON.stringify(r)}`);
  for (const r of await q(
    `SELECT TABLE_NAME t, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART, INDEX_TYPE, COLLATION
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
  ))
    add(String(r.t), `index ${JSON.stringify(r)}`);
  for (const r of await q(
    `SELECT k.TABLE_NAME t, k.CONSTRAINT_NAME, k.ORDINAL_POSITION, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME,
            k.REFERENCED_COLUMN_NAME, rc.UPDATE_RULE, rc.DELETE_RULE
       FROM information_schema.KEY_COLUMN_USAGE k
       JOIN information_schema.REFERENTIAL_CONSTRAINTS rc ON rc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND rc.CONSTRAINT_NAME = k.CONSTRAINT_NAME
      WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
  ))
    add(String(r.t), `fk ${JSON.stringify(r)}`);
  return new Map([...parts].map(([t, lines]) => [t, lines.join("\n")]));
}

/** Row count, CHECKSUM TABLE and schema fingerprint of every table of `bench`. */
async function describe(s: LocalServer): Promise<Map<string, Omit<TableRef, "bytes" | "intKey">>> {
  const c = await adminConnection(s);
  try {
    const names = (
      await rows<{ t: string }>(c, "SELECT TABLE_NAME t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1", [BENCH_DB])
    ).map((r) => r.t);
    const out = new Map<string, Omit<TableRef, "bytes" | "intKey">>();
    if (names.length === 0) return out;
    const fps = await schemaFingerprints(c);
    const sums = await rows<{ Table: string; Checksum: string | null }>(c, `CHECKSUM TABLE ${names.map((t) => `\`${BENCH_DB}\`.\`${t}\``).join(", ")}`);
    for (const t of names) {
      const [{ n }] = await rows<{ n: string }>(c, `SELECT COUNT(*) n FROM \`${BENCH_DB}\`.\`${t}\``);
      const sum = sums.find((r) => r.Table === `${BENCH_DB}.${t}`);
      out.set(t, { name: t, rows: Number(n), checksum: sum?.Checksum == null ? null : String(sum.Checksum), schema: fps.get(t) ?? "" });
    }
    return out;
  } finally {
    await c.end();
  }
}

async function dataset(source: LocalServer): Promise<Dataset> {
  const described = await describe(source);
  const c = await adminConnection(source);
  try {
    const sizes = await rows<{ t: string; b: string }>(
      c,
      "SELECT TABLE_NAME t, DATA_LENGTH + INDEX_LENGTH b FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'",
      [BENCH_DB],
    );
    const keys = await rows<{ t: string; c: string; dt: string }>(
      c,
      `SELECT k.TABLE_NAME t, k.COLUMN_NAME c, col.DATA_TYPE dt FROM information_schema.KEY_COLUMN_USAGE k
         JOIN information_schema.COLUMNS col ON col.TABLE_SCHEMA = k.TABLE_SCHEMA AND col.TABLE_NAME = k.TABLE_NAME AND col.COLUMN_NAME = k.COLUMN_NAME
        WHERE k.TABLE_SCHEMA = ? AND k.CONSTRAINT_NAME = 'PRIMARY' AND k.ORDINAL_POSITION = 1`,
      [BENCH_DB],
    );
    const tables: TableRef[] = [...described.values()].map((d) => {
      const key = keys.find((k) => k.t === d.name);
      return {
        ...d,
        bytes: Number(sizes.find((s) => s.t === d.name)?.b ?? 0),
        intKey: key && /int$/.test(key.dt) ? key.c : undefined,
      };
    });
    return { rows: tables.reduce((n, t) => n + t.rows, 0), bytes: tables.reduce((n, t) => n + t.bytes, 0), tables };
  } finally {
    await c.end();
  }
}

/** Differences between the target's copy of `bench` and the source's; empty when equal. */
async function checkCopy(target: LocalServer, ref: Dataset): Promise<string[]> {
  const got = await describe(target);
  const problems: string[] = [];
  for (const t of ref.tables) {
    const g = got.get(t.name);
    if (!g) {
      problems.push(`${t.name}: missing on the target`);
      continue;
    }
    if (g.rows !== t.rows) problems.push(`${t.name}: ${g.rows} rows, source has ${t.rows}`);
    else if (g.checksum !== t.checksum) problems.push(`${t.name}: CHECKSUM TABLE ${g.checksum}, source ${t.checksum}`);
    if (g.schema !== t.schema) {
      const a = new Set(t.schema.split("\n"));
      const b = new Set(g.schema.split("\n"));
      const lost = [...a].filter((l) => !b.has(l));
      const extra = [...b].filter((l) => !a.has(l));
      problems.push(`${t.name}: definition differs; source only: ${lost.slice(0, 3).join(" | ") || "-"}; target only: ${extra.slice(0, 3).join(" | ") || "-"}`);
    }
  }
  for (const t of got.keys()) if (!ref.tables.some((r) => r.name === t)) problems.push(`${t}: extra table on the target`);
  return problems;
}

function tail(s: string, n = 1200): string {
  const t = s.trim();
  return redact(t.length > n ? "…" + t.slice(-n) : t);
}

// ---------------------------------------------------------------------------------------------
// the tools

interface Ctx {
  source: LocalServer;
  target: LocalServer;
  srcCnf: string;
  tgtCnf: string;
  dir: string;
  flags: Flags;
  ref: Dataset;
}

type Outcome = { ok: true; seconds: number; parts: Record<string, number>; rssKb: number | null; timed: string; commands: string[]; engineReport?: ToolResult["engineReport"] } | { ok: false; error: string; commands: string[] };

/** Seconds after which a tool is killed and reported as failed: generous, 20 minutes per scale unit. */
function timeLimit(x: Ctx): number {
  return Math.max(300, Math.round(1200 * x.flags.scale));
}

async function runMysqldump(x: Ctx): Promise<Outcome> {
  const dump = `mariadb-dump --defaults-file=${x.srcCnf} --single-transaction --quick --databases ${BENCH_DB}`;
  const load = `mariadb --defaults-file=${x.tgtCnf}`;
  const display = `${dump} | ${load}`;
  const r = await runTimed(["bash", "-c", `set -o pipefail; ${display}`], { display, dir: x.dir, timeoutSeconds: timeLimit(x) });
  if (r.code !== 0) return { ok: false, error: `exit ${r.code}: ${tail(r.stderr)}`, commands: [display] };
  return { ok: true, seconds: r.seconds, parts: {}, rssKb: r.rssKb, timed: "dump | load pipeline, wall clock", commands: [display] };
}

/**
 * Debian's mydumper is 0.10.0: without --rows it dumps one file per table (tables in parallel,
 * myloader loads files in parallel). Its --rows chunking is not used: on `events`, whose
 * BIGINT UNSIGNED key lies above 2^63, 0.10.0 never finishes planning chunks and grows without
 * bound (gigabytes in seconds), so the bench could not time it at all.
 */
async function runMydumper(x: Ctx): Promise<Outcome> {
  const out = join(x.dir, "mydumper");
  rmSync(out, { recursive: true, force: true });
  const t = String(x.flags.threads);
  const dumpArgv = ["mydumper", `--defaults-file=${x.srcCnf}`, "--database", BENCH_DB, "--outputdir", out, "--threads", t, "--verbose", "1"];
  const loadArgv = ["myloader", `--defaults-file=${x.tgtCnf}`, "--directory", out, "--threads", t, "--enable-binlog", "--verbose", "1"];
  const commands = [dumpArgv.join(" "), loadArgv.join(" ")];
  const d = await runTimed(dumpArgv, { display: commands[0], dir: x.dir, timeoutSeconds: timeLimit(x), memoryLimitMb: 4096 });
  if (d.code !== 0) return { ok: false, error: `mydumper exit ${d.code}: ${tail(d.stderr)}`, commands };
  const l = await runTimed(loadArgv, { display: commands[1], dir: x.dir, timeoutSeconds: timeLimit(x), memoryLimitMb: 4096 });
  rmSync(out, { recursive: true, force: true });
  if (l.code !== 0) return { ok: false, error: `myloader exit ${l.code}: ${tail(l.stderr)}`, commands };
  const rss = d.rssKb === null || l.rssKb === null ? null : Math.max(d.rssKb, l.rssKb);
  return { ok: true, seconds: d.seconds + l.seconds, parts: { dump: d.seconds, load: l.seconds }, rssKb: rss, timed: "mydumper + myloader, wall clock", commands };
}

interface Piece {
  table: TableRef;
  where: string;
  file: string;
  bytes: number;
}

/**
 * The files of one table: one file per table by default. On MariaDB >= 10.6 a single LOAD into
 * an empty table with unique_checks=0 and foreign_key_checks=0 takes the bulk-insert path
 * (indexes built by sorting), and was faster than 16 MB primary-key ranges loaded by 2 sessions
 * (scale 1: 3.3 s against 4.3 s). BENCH_PIECE_MB=16 cuts tables with an integer primary key
 * into ranges of about that much source size instead, for comparison.
 */
async function pieces(c: Connection, t: TableRef, dir: string): Promise<Piece[]> {
  const pieceMb = Number(process.env.BENCH_PIECE_MB ?? 0);
  const n = t.intKey && pieceMb > 0 ? Math.max(1, Math.ceil(t.bytes / (pieceMb * MB))) : 1;
  const file = (i: number) => join(dir, `${t.name}.${i}.tsv`);
  if (n === 1 || !t.intKey) return [{ table: t, where: "", file: file(0), bytes: t.bytes }];
  const k = `\`${t.intKey}\``;
  const [{ lo, hi }] = await rows<{ lo: string; hi: string }>(c, `SELECT MIN(${k}) lo, MAX(${k}) hi FROM \`${BENCH_DB}\`.\`${t.name}\``);
  const a = BigInt(lo);
  const b = BigInt(hi);
  const step = (b - a) / BigInt(n) + 1n;
  const out: Piece[] = [];
  for (let i = 0; i < n; i++) {
    const from = a + step * BigInt(i);
    const to = from + step; // exclusive
    const where = ` WHERE ${k} >= ${from}${i === n - 1 ? "" : ` AND ${k} < ${to}`}`;
    out.push({ table: t, where, file: file(i), bytes: t.bytes / n });
  }
  return out;
}

async function pool<T>(items: T[], threads: number, open: () => Promise<Connection>, work: (c: Connection, item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(threads, items.length)) }, async () => {
      const c = await open();
      try {
        while (queue.length) await work(c, queue.shift()!);
      } finally {
        await c.end();
      }
    }),
  );
}

async function runLoadData(x: Ctx): Promise<Outcome> {
  const dir = join(x.dir, "outfile");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const commands = [
    `SELECT * INTO OUTFILE '${dir}/<table>.<n>.tsv' FROM ${BENCH_DB}.<table> ORDER BY <pk>   (source, ${x.flags.threads} sessions, not timed)`,
    `LOAD DATA INFILE '${dir}/<table>.<n>.tsv' INTO TABLE ${BENCH_DB}.<table> CHARACTER SET binary   (target: one statement per table, biggest first, ${x.flags.threads} sessions, foreign_key_checks=0, unique_checks=0, binlog on)`,
  ];
  for (const c of commands) log(`  > ${c}`);
  const src = await adminConnection(x.source);
  let all: Piece[] = [];
  const ddl: string[] = [];
  try {
    for (const t of x.ref.tables) all.push(...(await pieces(src, t, dir)));
    const [db] = await rows<Record<string, string>>(src, `SHOW CREATE DATABASE \`${BENCH_DB}\``);
    ddl.push(db["Create Database"]);
    for (const t of x.ref.tables) {
      const [r] = await rows<Record<string, string>>(src, `SHOW CREATE TABLE \`${BENCH_DB}\`.\`${t.name}\``);
      ddl.push(`CREATE TABLE \`${BENCH_DB}\`.${r["Create Table"].slice("CREATE TABLE ".length)}`);
    }
  } finally {
    await src.end();
  }
  all = all.sort((a, b) => b.bytes - a.bytes);
  const began = performance.now();
  await pool(all, x.flags.threads, () => adminConnection(x.source), async (c, p) => {
    const pk = await rows<{ c: string }>(
      c,
      "SELECT COLUMN_NAME c FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
      [BENCH_DB, p.table.name],
    );
    const order = pk.length ? ` ORDER BY ${pk.map((k) => `\`${k.c}\``).join(", ")}` : "";
    await c.query(`SELECT * INTO OUTFILE '${p.file}' FROM \`${BENCH_DB}\`.\`${p.table.name}\`${p.where}${order}`);
  });
  const dumpSeconds = (performance.now() - began) / 1000;
  const tgt = await adminConnection(x.target);
  try {
    await tgt.query("SET SESSION foreign_key_checks = 0");
    for (const d of ddl) await tgt.query(d);
  } finally {
    await tgt.end();
  }
  const loadBegan = performance.now();
  let loaded = 0;
  await pool(
    all,
    x.flags.threads,
    async () => {
      const c = await adminConnection(x.target);
      await c.query("SET SESSION foreign_key_checks = 0, SESSION unique_checks = 0");
      return c;
    },
    async (c, p) => {
      const t0 = performance.now();
      const [res] = await c.query(`LOAD DATA INFILE '${p.file}' INTO TABLE \`${BENCH_DB}\`.\`${p.table.name}\` CHARACTER SET binary`);
      loaded += (res as { affectedRows: number }).affectedRows;
      if (process.env.BENCH_VERBOSE) log(`    ${p.file}: ${fmt((performance.now() - t0) / 1000, 2)} s`);
    },
  );
  const loadSeconds = (performance.now() - loadBegan) / 1000;
  rmSync(dir, { recursive: true, force: true });
  log(`  ${loaded} rows loaded from ${all.length} files`);
  return {
    ok: true,
    seconds: loadSeconds,
    parts: { outfile: dumpSeconds, load: loadSeconds },
    rssKb: null,
    timed: "LOAD DATA INFILE phase only (INTO OUTFILE on the source listed separately, not counted)",
    commands,
  };
}

/** The copy alone, like the peers (none of them verifies): `--no-verify`. */
function runOurs(x: Ctx): Promise<Outcome> {
  return runCli(x, ["--no-verify", ...(process.env.BENCH_OUR_ARGS ?? "").split(" ").filter(Boolean)]);
}

/** The copy plus the chunk-checksum verification on both servers (the default of `migrate`). */
function runOursVerified(x: Ctx): Promise<Outcome> {
  return runCli(x, []);
}

async function runCli(x: Ctx, extra: string[]): Promise<Outcome> {
  const argv = [
    process.execPath,
    "--max-semi-space-size=4", // as the bin's shebang runs it
    CLI,
    "migrate",
    "--source",
    `mysql://${x.source.adminUser}@${x.source.host}:${x.source.port}`,
    "--target",
    `mysql://${x.target.adminUser}@${x.target.host}:${x.target.port}`,
    "--include",
    BENCH_DB,
    "--threads",
    String(x.flags.threads),
    "--json",
    "--no-progress",
    ...extra,
  ];
  const display = `SOURCE_PASSWORD=… TARGET_PASSWORD=… node ${argv.slice(1).join(" ")}`;
  const r = await runTimed(argv, { display, dir: x.dir, timeoutSeconds: timeLimit(x), env: { SOURCE_PASSWORD: x.source.adminPassword, TARGET_PASSWORD: x.target.adminPassword } });
  let report: { ok: boolean; verified: boolean; totals: { seconds: number }; phaseSeconds?: Record<string, number> } | undefined;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    /* not JSON: failed */
  }
  if (r.code !== 0 || !report) return { ok: false, error: `exit ${r.code}: ${tail(r.stderr || r.stdout)}`, commands: [display] };
  return {
    ok: true,
    seconds: r.seconds,
    parts: { engine: report.totals.seconds, ...Object.fromEntries(Object.entries(report.phaseSeconds ?? {}).map(([k, v]) => [k, v])) },
    rssKb: r.rssKb,
    timed: "whole CLI process (everything `migrate` does with its default options), wall clock",
    commands: [display],
    engineReport: { totals: report.totals, ok: report.ok, verified: report.verified },
  };
}

const RUNNERS: Record<Tool, (x: Ctx) => Promise<Outcome>> = {
  mysqldump: runMysqldump,
  mydumper: runMydumper,
  "load-data": runLoadData,
  "polardb-to-rds": runOurs,
  "polardb-to-rds+verify": runOursVerified,
};

// ---------------------------------------------------------------------------------------------
// output

/** The engine that was measured: commit, and whether migrator/ had uncommitted changes. */
function engineRevision(): string {
  const root = join(__dirname, "..", "..");
  const git = (...a: string[]) => spawnSync("git", ["-C", root, ...a], { encoding: "utf8" });
  const head = git("rev-parse", "--short", "HEAD");
  if (head.status !== 0) return "unknown";
  const dirty = git("status", "--porcelain", "--", "migrator").stdout.trim() !== "";
  return `${head.stdout.trim()}${dirty ? " + uncommitted changes in migrator/" : ""}`;
}

function fmt(n: number | null, digits = 1): string {
  if (n === null) return "-";
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(results: ToolResult[]): string {
  const head = ["tool", "check", "seconds", "MB/s", "rows/s", "× mysqldump", "× load limit", "peak RSS MB"];
  const body = results.map((r) => [
    r.label,
    r.status,
    fmt(r.seconds, 1),
    fmt(r.mbPerSec, 1),
    fmt(r.rowsPerSec, 0),
    r.vsMysqldump === null ? "-" : `${r.vsMysqldump.toFixed(2)}×`,
    r.vsLoadLimit === null ? "-" : `${r.vsLoadLimit.toFixed(2)}×`,
    fmt(r.peakRssMb, 0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

function parseFlags(argv: string[]): Flags {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: "string", default: "1" },
      threads: { type: "string", default: "2" },
      json: { type: "string" },
      tools: { type: "string" },
      "server-arg": { type: "string", multiple: true, default: [] },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      "usage: npm run bench -- [--scale 1] [--threads 2] [--json FILE] [--tools " + TOOLS.join(",") + "] [--server-arg=--mariadbd-option=value ...]\n",
    );
    process.exit(0);
  }
  const scale = Number(values.scale);
  const threads = Number(values.threads);
  if (!(scale > 0)) throw new Error("--scale must be a positive number");
  if (!Number.isInteger(threads) || threads < 1) throw new Error("--threads must be a positive integer");
  const tools = values.tools ? values.tools.split(",").map((s) => s.trim()).filter(Boolean) : [...TOOLS];
  for (const t of tools) if (!TOOLS.includes(t as Tool)) throw new Error(`unknown tool ${t}: choose from ${TOOLS.join(", ")}`);
  return {
    scale,
    threads,
    json: values.json ? resolve(values.json) : undefined,
    tools: TOOLS.filter((t) => tools.includes(t)),
    serverArgs: values["server-arg"] as string[],
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2));
  const servers: LocalServer[] = [];
  const dir = mkdtempSync(join(tmpdir(), "p2r-bench-"));
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      killChildren();
      await Promise.all(servers.map((s) => stopMariaDb(s)));
      rmSync(dir, { recursive: true, force: true });
    })());
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      interrupted = true;
      process.stderr.write(`\n${sig}: stopping the tools and the servers ...\n`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    log(`bench: scale ${flags.scale}, threads ${flags.threads}, tools ${flags.tools.join(", ")}`);
    log("starting local source and target MariaDB servers (binary log on) ...");
    const started = await Promise.allSettled([
      startMariaDb({ name: "bench-source", args: flags.serverArgs }),
      startMariaDb({ name: "bench-target", args: flags.serverArgs }),
    ]);
    for (const s of started) if (s.status === "fulfilled") servers.push(s.value);
    for (const s of started) if (s.status === "rejected") throw s.reason;
    const [source, target] = servers;
    secrets.push(source.adminPassword, target.adminPassword);
    const srcCnf = defaultsFile(dir, "source", source);
    const tgtCnf = defaultsFile(dir, "target", target);

    log("generating the dataset on the source ...");
    const genBegan = performance.now();
    const c = await adminConnection(source);
    let version: string;
    try {
      await generateBenchData(c, flags.scale, log);
      [{ v: version }] = await rows<{ v: string }>(c, "SELECT VERSION() v");
    } finally {
      await c.end();
    }
    await settle(source);
    const ref = await dataset(source); // also reads every row once (COUNT, CHECKSUM): warm source
    log(
      `dataset: ${ref.tables.length} tables, ${ref.rows.toLocaleString("en-US")} rows, ${fmt(ref.bytes / MB)} MB InnoDB data + indexes ` +
        `(generated in ${fmt((performance.now() - genBegan) / 1000)} s); MariaDB ${version}`,
    );
    for (const t of ref.tables) log(`  ${t.name.padEnd(12)} ${t.rows.toLocaleString("en-US").padStart(10)} rows ${fmt(t.bytes / MB).padStart(8)} MB`);

    const ctx: Ctx = { source, target, srcCnf, tgtCnf, dir, flags, ref };
    const results: ToolResult[] = [];
    for (const tool of flags.tools) {
      if (interrupted) break;
      log(`\n[${LABEL[tool]}]`);
      await resetTarget(target);
      const result: ToolResult = {
        tool,
        label: LABEL[tool],
        status: "FAILED",
        seconds: null,
        timed: "",
        mbPerSec: null,
        rowsPerSec: null,
        vsMysqldump: null,
        vsLoadLimit: null,
        peakRssMb: null,
        parts: {},
        problems: [],
        commands: [],
      };
      let o: Outcome;
      try {
        o = await RUNNERS[tool](ctx);
      } catch (e) {
        o = { ok: false, error: tail(e instanceof Error ? e.message : String(e)), commands: [] };
      }
      result.commands = o.commands;
      if (!o.ok) {
        result.problems.push(o.error);
        log(`  FAILED: ${o.error}`);
      } else {
        result.timed = o.timed;
        result.parts = o.parts;
        result.peakRssMb = o.rssKb === null ? null : o.rssKb / 1024;
        result.engineReport = o.engineReport;
        const problems = await checkCopy(target, ref);
        if (problems.length) {
          result.status = "WRONG";
          result.problems = problems;
          result.measuredSeconds = o.seconds;
          log(`  WRONG copy (not timed):\n${problems.map((p) => `    ${p}`).join("\n")}`);
        } else {
          result.status = "ok";
          result.seconds = o.seconds;
          result.mbPerSec = ref.bytes / MB / o.seconds;
          result.rowsPerSec = ref.rows / o.seconds;
          const parts = Object.entries(o.parts).map(([k, v]) => `${k} ${fmt(v)} s`).join(", ");
          log(`  copy checked equal; ${fmt(o.seconds)} s${parts ? ` (${parts})` : ""}${o.rssKb === null ? "" : `, peak RSS ${fmt(o.rssKb / 1024, 0)} MB`}`);
        }
      }
      results.push(result);
    }
    if (interrupted) return 130;
    const base = results.find((r) => r.tool === "mysqldump" && r.seconds !== null)?.seconds ?? null;
    const limit = results.find((r) => r.tool === "load-data" && r.seconds !== null)?.seconds ?? null;
    for (const r of results) {
      if (r.seconds === null) continue;
      r.vsMysqldump = base === null ? null : base / r.seconds;
      r.vsLoadLimit = limit === null ? null : limit / r.seconds;
    }
    const printed = table(results);
    const revision = engineRevision();
    log(
      `\nscale ${flags.scale}, threads ${flags.threads}: ${ref.rows.toLocaleString("en-US")} rows, ${fmt(ref.bytes / MB)} MB (source InnoDB data + indexes), ` +
        `MariaDB ${version}, binlog on; polardb-to-rds at ${revision}\n`,
    );
    log(printed);
    log("");
    for (const r of results) {
      const parts = Object.entries(r.parts).map(([k, v]) => `${k} ${fmt(v)} s`).join(", ");
      if (r.status === "ok") log(`${r.label}: ${r.timed}${parts ? `; ${parts}` : ""}`);
      else log(`${r.label}: ${r.status}: ${r.problems.join("; ")}`);
    }
    log("ratios are throughput ratios (other tool's seconds / this tool's seconds): above 1 is faster; peak RSS is GNU time's max RSS of the largest process");
    if (flags.json) {
      const json = {
        scale: flags.scale,
        threads: flags.threads,
        server: { version, binlog: "ROW", extraArgs: flags.serverArgs },
        engineRevision: revision,
        dataset: { rows: ref.rows, bytes: ref.bytes, tables: ref.tables.map(({ name, rows: n, bytes, checksum }) => ({ name, rows: n, bytes, checksum })) },
        results,
        table: printed,
        at: new Date().toISOString(),
      };
      writeFileSync(flags.json, JSON.stringify(json, null, 2) + "\n");
      log(`\nwrote ${flags.json}`);
    }
    return results.every((r) => r.status === "ok") ? 0 : 1;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(redact(`bench failed: ${e instanceof Error ? e.message : String(e)}`) + "\n");
    process.exit(2);
  },
);

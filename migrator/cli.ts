#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * polardb-to-rds precheck|migrate|verify. The shebang's small young generation (the copy makes many
 * short-lived row objects) keeps peak RSS near 190 MB at any table size instead of 170-320 MB.
 * Exit codes: 0 success, 1 the migration or verification
 * failed, 2 bad input or a failed precheck (nothing written). Passwords never appear in output.
 */
import { Command, CommanderError, Option } from "commander";
import { parseEndpointUrl } from "./endpoint";
import { InputError, MigrationError, PrecheckFailedError, redact } from "./errors";
import { formatPrecheck, formatReport } from "./format";
import { migrate, precheck, verify } from "./index";
import { ON_EXISTING } from "./options";
import { progressView } from "./progress";

interface CliFlags {
  source: string;
  target: string;
  include: string[];
  exclude: string[];
  rename: string[];
  onExisting?: string;
  threads?: string;
  targetCapacity?: string;
  json?: boolean;
  progress: boolean;
  verify: boolean;
  restart?: boolean;
  chunkSize?: string;
  deferIndexes?: boolean;
  views: boolean;
  triggers: boolean;
  routines: boolean;
  withEvents?: boolean;
  definer?: string;
  retries?: string;
}

/** Every password we know of, to scrub from anything printed. */
const secrets: string[] = [];

function out(text: string): void {
  process.stdout.write(redact(text, secrets) + "\n");
}
function err(text: string): void {
  process.stderr.write(redact(text, secrets) + "\n");
}

/** The endpoint as given, with the password from the environment when the URL has none. */
function endpoint(url: string, envName: string): unknown {
  const envPassword = process.env[envName];
  if (envPassword) secrets.push(envPassword);
  try {
    const ep = parseEndpointUrl(url);
    if (ep.password) secrets.push(ep.password);
    return ep.password === undefined && envPassword !== undefined ? { ...ep, password: envPassword } : url;
  } catch {
    return url; // the schema reports the problem under the field's name
  }
}

function rawOptions(f: CliFlags): Record<string, unknown> {
  const raw: Record<string, unknown> = {
    source: endpoint(f.source, "SOURCE_PASSWORD"),
    target: endpoint(f.target, "TARGET_PASSWORD"),
    include: f.include,
    exclude: f.exclude,
    rename: f.rename,
  };
  if (f.onExisting !== undefined) raw.onExisting = f.onExisting;
  if (f.threads !== undefined) {
    const n = Number(f.threads);
    raw.threads = Number.isFinite(n) ? n : f.threads;
  }
  if (f.targetCapacity !== undefined) raw.targetCapacity = f.targetCapacity;
  if (f.verify === false) raw.verify = false;
  if (f.chunkSize !== undefined) raw.chunkBytes = f.chunkSize;
  if (f.deferIndexes) raw.deferIndexes = true;
  if (f.views === false) raw.views = false;
  if (f.triggers === false) raw.triggers = false;
  if (f.routines === false) raw.routines = false;
  if (f.withEvents) raw.events = true;
  if (f.definer !== undefined) raw.definer = f.definer;
  if (f.retries !== undefined) {
    const n = Number(f.retries);
    raw.retries = Number.isFinite(n) ? n : f.retries;
  }
  if (f.restart) raw.restart = true;
  return raw;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function withCommonOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--source <url>", "source (POLARDB) as mysql://user[:password]@host:port; password also from SOURCE_PASSWORD; ?ssl-mode=required|verify-ca|verify-identity&ssl-ca=FILE")
    .requiredOption("--target <url>", "target (RDS) as mysql://user[:password]@host:port; password also from TARGET_PASSWORD")
    .option("--include <pattern>", "database or db.table to migrate, * and ? globs; `a.b` in backticks for a name with a dot (repeatable)", collect, [])
    .option("--exclude <pattern>", "database or db.table to leave out (repeatable)", collect, [])
    .option("--rename <old=new>", "rename a database (old=new) or a table (db.old=db.new) (repeatable)", collect, [])
    .option("--threads <n>", "parallel copy workers (default: cores, 2-8)")
    .option("--target-capacity <size>", "free space on the target, e.g. 500G; checked against the source's size")
    .option("--chunk-size <size>", "cut big tables into key ranges of about this size: the unit of parallel copy, resume and verification (default 256M)")
    .option("--no-views", "leave views out")
    .option("--no-triggers", "leave triggers out")
    .option("--no-routines", "leave stored procedures and functions out")
    .option("--with-events", "also migrate events (created DISABLED on the target)")
    .addOption(
      new Option("--definer <policy>", "DEFINER of views, triggers, routines, events: keep, migration-account (the target account, as DTS) or invoker (also SQL SECURITY INVOKER)").choices(["keep", "migration-account", "invoker"]),
    )
    .option("--json", "print the result as JSON on stdout");
}

function exitCodeFor(e: unknown): number {
  if (e instanceof InputError || e instanceof PrecheckFailedError) return 2;
  return 1;
}

async function run(action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof InputError) err(`error: invalid input:\n${message.replace(/^/gm, "  ")}`);
    else if (e instanceof PrecheckFailedError) err(`error: ${message}\nnothing was written to the target`);
    else if (e instanceof MigrationError) err(`error: ${message}`);
    else err(`error: ${message}`); // unexpected: no stack trace, it may carry connection details
    process.exitCode = exitCodeFor(e);
  }
}

export function buildProgram(): Command {
  const program = new Command("polardb-to-rds")
    .description("Schema + full data migration from POLARDB for MySQL to RDS for MySQL (any two MySQL-protocol servers)")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(redact(s, secrets)), writeOut: (s) => process.stdout.write(s) });

  withCommonOptions(program.command("precheck").description("check connections, selection, privileges, existing tables and capacity; writes nothing"))
    .addOption(new Option("--on-existing <policy>", "what to do with a target table that exists").choices(ON_EXISTING as unknown as string[]))
    .action((f: CliFlags) =>
      run(async () => {
        const r = await precheck(rawOptions(f));
        if (f.json) out(JSON.stringify(r, null, 2));
        else out(`precheck ${r.ok ? "passed" : "FAILED"}:\n${formatPrecheck(r)}`);
        return r.ok ? 0 : 2;
      }),
    );

  withCommonOptions(program.command("migrate").description("precheck, then migrate schema and full data, then verify row counts"))
    .addOption(new Option("--on-existing <policy>", "what to do with a target table that exists: fail (default), drop, truncate, append").choices(ON_EXISTING as unknown as string[]))
    .option("--no-progress", "no progress output")
    .option("--no-verify", "skip the chunk-checksum comparison after the copy")
    .option("--restart", "discard an unfinished earlier run (drop the tables it created) instead of continuing it")
    .option("--defer-indexes", "add secondary indexes after the data (one sorted build) instead of with the table; pays on MySQL 8, not on MariaDB 10.6+")
    .option("--retries <n>", "attempts after the first for a chunk that fails with a transient error (default 6)")
    .action((f: CliFlags) =>
      run(async () => {
        const view = f.progress ? progressView(process.stderr) : undefined;
        try {
          const r = await migrate(rawOptions(f), (p) => view?.update(p));
          view?.stop();
          if (f.json) out(JSON.stringify(r, null, 2));
          else out(formatReport(r));
          return r.ok ? 0 : 1;
        } finally {
          view?.stop();
        }
      }),
    );

  withCommonOptions(program.command("verify").description("compare row counts of the selected tables on both sides"))
    .action((f: CliFlags) =>
      run(async () => {
        const r = await verify(rawOptions(f));
        if (f.json) out(JSON.stringify(r, null, 2));
        else {
          for (const t of r.tables) {
            out(`  [${t.status === "verified" ? "ok  " : "DIFF"}] ${t.source} -> ${t.target}: ${t.sourceRows} / ${t.targetRows} rows`);
            for (const m of t.mismatches) out(`         ${m}`);
          }
          out(r.ok ? "verified: every table equal" : "MISMATCH: the tables marked DIFF differ");
        }
        return r.ok ? 0 : 1;
      }),
    );
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; unknown flags and missing values are bad input.
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    throw e;
  }
}

if (require.main === module) void main();

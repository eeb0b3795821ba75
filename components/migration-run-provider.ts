/**
 * The dynamic provider of MigrationRun: `create` runs the engine's migrate() (precheck -> schema ->
 * full data -> constraints -> verify) with the options in the resource's inputs and stores the
 * report summary. Serialized by the SDK: it captures only plain functions and data, loads the engine
 * with loadEngine() inside the host, and never puts a password into outputs or error text.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { MigrateOptionsInput, MigrationReport, OnExisting, SslMode } from "../migrator";
import { loadEngine, redactSecrets } from "./engine-loader";
import { containsUnknown, UNKNOWN } from "./unknown";

/** Type-only: the provider is serialized, so it must not capture the engine's module. */
export type SslModeInput = SslMode;
export type OnExistingPolicy = OnExisting;
export type DefinerPolicy = MigrateOptionsInput["definer"];

/** A connection as the engine takes it (object form), without its password. */
export interface EndpointState {
  host: string;
  port: number;
  user: string;
  ssl?: SslModeInput | null;
  sslCa?: string | null;
}

/**
 * The engine's options (migrator MigrateOptionsSchema input) as MigrationRun inputs. The passwords
 * are separate top-level inputs so that they alone are secrets (the SDK makes a whole top-level
 * property secret when anything nested in it is) and so that the outputs can leave them out.
 */
export interface MigrationRunInputs {
  source: EndpointState;
  target: EndpointState;
  sourcePassword?: string | null;
  targetPassword?: string | null;
  include: string[];
  exclude?: string[] | null;
  rename?: string[] | null;
  onExisting?: OnExistingPolicy | null;
  threads?: number | null;
  targetCapacity?: number | string | null;
  batchBytes?: number | string | null;
  chunkBytes?: number | string | null;
  deferIndexes?: boolean | null;
  views?: boolean | null;
  triggers?: boolean | null;
  routines?: boolean | null;
  events?: boolean | null;
  definer?: DefinerPolicy | null;
  verify?: boolean | null;
  /** Discard an unfinished earlier attempt (drop the tables it created) instead of continuing it. */
  restart?: boolean | null;
  retries?: number | null;
}

/** Engine options passed through as they are; none of them changes what a finished run copied. */
export const TUNING_OPTIONS = ["threads", "targetCapacity", "batchBytes", "chunkBytes", "deferIndexes", "verify", "restart", "retries"] as const;

export interface TableSummary {
  source: string;
  target: string;
  status: string;
  rows: number;
  bytes: number;
  seconds: number;
}

/** The report summary MigrationRun outputs: no secrets, no undefined. */
export interface MigrationSummary {
  tables: number;
  rows: number;
  bytes: number;
  seconds: number;
  verified: boolean;
  /** This run continued an unfinished earlier attempt. */
  resumed: boolean;
  /** How the source was read at one point in time (see the engine's report). */
  snapshot: string;
  warnings: string[];
  targetDatabases: string[];
  tableReports: TableSummary[];
  completedAt: string;
}

export type MigrationRunOutputs = MigrationRunInputs & MigrationSummary;

/** Inputs a change of which means a different copy: a replacement (a new run). */
export const REPLACE_ON_CHANGE = ["source", "target", "include", "exclude", "rename", "onExisting", "views", "triggers", "routines", "events", "definer"] as const;

/** What in an endpoint identifies the data: not the password, not TLS settings. */
function endpointIdentity(e: EndpointState | undefined): unknown {
  if (!e) return null;
  return { host: e.host, port: e.port ?? 3306, user: e.user };
}

function identity(field: (typeof REPLACE_ON_CHANGE)[number], s: Partial<MigrationRunInputs>): unknown {
  switch (field) {
    case "source":
    case "target":
      return endpointIdentity(s[field]);
    case "include":
    case "exclude":
    case "rename":
      return s[field] ?? [];
    case "onExisting":
      return s.onExisting ?? "fail";
    case "views":
    case "triggers":
    case "routines":
      return s[field] ?? true;
    case "events":
      return s.events ?? false;
    case "definer":
      return s.definer ?? "migration-account";
  }
}

/** The engine's raw options: nulls dropped (the engine's schema is strict and takes no nulls). */
export function engineOptions(s: MigrationRunInputs): Record<string, unknown> {
  const endpoint = (e: EndpointState, password: string | null | undefined) => {
    const out: Record<string, unknown> = { host: e.host, port: e.port, user: e.user };
    if (password !== undefined && password !== null) out.password = password;
    if (e.ssl) out.ssl = e.ssl;
    if (e.sslCa) out.sslCa = e.sslCa;
    return out;
  };
  const out: Record<string, unknown> = {
    source: endpoint(s.source, s.sourcePassword),
    target: endpoint(s.target, s.targetPassword),
    include: s.include,
  };
  for (const key of ["exclude", "rename", "onExisting", "views", "triggers", "routines", "events", "definer", ...TUNING_OPTIONS] as const) {
    const v = s[key];
    if (v !== undefined && v !== null) out[key] = v;
  }
  return out;
}

/** The inputs without passwords and without undefined, as stored in the outputs. */
export function publicState(s: MigrationRunInputs): MigrationRunInputs {
  const endpoint = (e: EndpointState): EndpointState => ({
    host: e.host,
    port: e.port ?? 3306,
    user: e.user,
    ssl: e.ssl ?? null,
    sslCa: e.sslCa ?? null,
  });
  return {
    source: endpoint(s.source),
    target: endpoint(s.target),
    include: s.include,
    exclude: s.exclude ?? [],
    rename: s.rename ?? [],
    onExisting: s.onExisting ?? "fail",
    threads: s.threads ?? null,
    targetCapacity: s.targetCapacity ?? null,
    batchBytes: s.batchBytes ?? null,
    chunkBytes: s.chunkBytes ?? null,
    deferIndexes: s.deferIndexes ?? null,
    views: s.views ?? null,
    triggers: s.triggers ?? null,
    routines: s.routines ?? null,
    events: s.events ?? null,
    definer: s.definer ?? null,
    verify: s.verify ?? null,
    restart: s.restart ?? null,
    retries: s.retries ?? null,
  };
}

export function summarize(report: MigrationReport, now: Date): MigrationSummary {
  return {
    tables: report.totals.tables,
    rows: report.totals.rows,
    bytes: report.totals.bytes,
    seconds: report.totals.seconds,
    verified: report.verified,
    resumed: report.resumed,
    snapshot: report.snapshot,
    warnings: [...report.warnings],
    targetDatabases: report.databases.map((d) => d.targetDb),
    tableReports: report.tables.map((t) => ({
      source: t.source,
      target: t.target,
      status: t.status,
      rows: t.rows,
      bytes: t.bytes,
      seconds: t.seconds,
    })),
    completedAt: now.toISOString(),
  };
}


/** The error the engine reports as `pulumi up` shows it: the phase, what to do next, no password. */
export function failureMessage(e: unknown, secrets: ReadonlyArray<string | undefined>): string {
  const err = e as { name?: string; message?: string; phase?: string };
  const text = String(err?.message ?? e);
  let message: string;
  if (err?.name === "PrecheckFailedError") {
    message = `MigrationRun: ${text}\nNothing was written to the target. Fix the items above and run pulumi up again.`;
  } else if (err?.name === "InputError") {
    message = `MigrationRun: invalid migration options:\n${text}`;
  } else if (err?.name === "MigrationError") {
    message =
      `MigrationRun: ${text}\n` +
      `The target holds what this attempt copied and the engine's bookkeeping of it. Run pulumi up again after ` +
      `fixing the cause: the engine continues where this attempt stopped (same source, target and selection), or ` +
      `set polardb-to-rds:restart to true to drop the tables this attempt created and start over.`;
  } else {
    message = `MigrationRun: migration failed: ${text}`;
  }
  return redactSecrets(message, secrets);
}

export interface MigrationRunProvider extends pulumi.dynamic.ResourceProvider<MigrationRunInputs, MigrationRunOutputs> {}

export const migrationRunProvider: MigrationRunProvider = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    // A preview sends not-yet-known values (generated passwords, account names) as a placeholder:
    // validate only what is fully known, and never treat the placeholder as a host name.
    if (!containsUnknown(news)) {
      const engine = loadEngine();
      const parsed = engine.MigrateOptionsSchema.safeParse(engineOptions(news));
      if (!parsed.success) {
        // formatIssues gives "field: message" lines, the same text the CLI and the stack config show.
        for (const line of engine.formatIssues(parsed.error).split("\n")) {
          const property = /^[A-Za-z]+/.exec(line)?.[0] ?? "options";
          failures.push({ property, reason: redactSecrets(line, [news.sourcePassword ?? undefined, news.targetPassword ?? undefined]) });
        }
      }
    } else {
      for (const side of ["source", "target"] as const) {
        const host = news[side]?.host;
        if (host !== UNKNOWN && (typeof host !== "string" || host.length === 0)) {
          failures.push({ property: side, reason: `${side}.host is required` });
        }
      }
    }
    return { inputs: news, failures };
  },

  async diff(_id, olds, news) {
    const replaces: string[] = [];
    for (const field of REPLACE_ON_CHANGE) {
      // A value not known yet (preview) may change the copy: show the worst case.
      if (containsUnknown(identity(field, news))) replaces.push(field);
      else if (JSON.stringify(identity(field, olds)) !== JSON.stringify(identity(field, news))) replaces.push(field);
    }
    // Passwords, TLS settings and the tuning options (threads, sizes, retries, verify, restart) do not change what was copied.
    return { changes: replaces.length > 0, replaces };
  },

  async create(inputs) {
    const engine = loadEngine();
    let report: MigrationReport;
    try {
      report = await engine.migrate(engineOptions(inputs));
    } catch (e) {
      throw new Error(failureMessage(e, [inputs.sourcePassword ?? undefined, inputs.targetPassword ?? undefined]));
    }
    if (!report.ok) {
      const failed = report.tables.filter((t) => t.status !== "copied").map((t) => `${t.source} (${t.status})`);
      throw new Error(`MigrationRun: the migration did not complete: ${failed.join(", ") || "verification failed"}`);
    }
    const id = `run-${(require("node:crypto") as typeof import("node:crypto")).randomUUID()}`;
    return { id, outs: { ...publicState(inputs), ...summarize(report, new Date()) } };
  },

  async read(id, props) {
    // The run is a past event: its state is what create stored.
    return { id, props };
  },

  async update(_id, olds, news) {
    // Reached only for changes that do not affect the copy: record them, never copy again.
    const previous: MigrationSummary = {
      tables: olds.tables,
      rows: olds.rows,
      bytes: olds.bytes,
      seconds: olds.seconds,
      verified: olds.verified,
      resumed: olds.resumed ?? false,
      snapshot: olds.snapshot ?? "none",
      warnings: olds.warnings ?? [],
      targetDatabases: olds.targetDatabases ?? [],
      tableReports: olds.tableReports ?? [],
      completedAt: olds.completedAt,
    };
    return { outs: { ...publicState(news), ...previous } };
  },

  async delete() {
    // Deliberately nothing: migrated databases, tables and rows stay on the target. The engine's only
    // bookkeeping (its resume table on the target) is dropped by the engine when a run completes, and
    // a MigrationRun exists in the state only for completed runs: there is nothing else to remove.
  },
};

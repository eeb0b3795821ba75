/**
 * The one options object of the engine, validated up front by a zod schema that the CLI, the
 * Pulumi stack config and the dynamic providers share, so a bad value gets the same message
 * naming its field everywhere.
 */
import { availableParallelism } from "node:os";
import { z } from "zod";
import { Endpoint, parseEndpointUrl, SSL_MODES } from "./endpoint";
import { InputError } from "./errors";
import { isSystemSchema, ObjectPattern, parsePattern, parseRename, Rename } from "./pattern";

/** keep: as on the source; migration-account: the target account (DTS's default); invoker: that, plus SQL SECURITY INVOKER for views and routines. */
export const DEFINER_POLICIES = ["keep", "migration-account", "invoker"] as const;

export const ON_EXISTING = ["fail", "drop", "truncate", "append"] as const;
export type OnExisting = (typeof ON_EXISTING)[number];

const endpointObject = z
  .object({
    host: z.string().min(1, "host is empty"),
    port: z.number().int().min(1).max(65535).default(3306),
    user: z.string().min(1, "user is empty"),
    password: z.string().optional(),
    ssl: z.enum(SSL_MODES).default("preferred"),
    sslCa: z.string().optional(),
  })
  .strict();

/** A connection: a `mysql://user[:password]@host[:port]` URL or an object with the same parts. */
export const EndpointSchema = z.union([z.string(), endpointObject]).transform((value, ctx): Endpoint => {
  if (typeof value !== "string") return value;
  try {
    return parseEndpointUrl(value);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
    return z.NEVER;
  }
});

const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Bytes as a number or text like `500G`, `1.5T`, `200MB`. */
export const SizeSchema = z.union([z.number().nonnegative(), z.string()]).transform((value, ctx): number => {
  if (typeof value === "number") return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(value);
  if (!m) {
    ctx.addIssue({ code: "custom", message: `"${value}" is not a size: use bytes or a number with K, M, G or T (e.g. 500G)` });
    return z.NEVER;
  }
  return Math.floor(Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()]);
});

function patternList(kind: "include" | "exclude") {
  return z.array(z.string()).transform((list, ctx): ObjectPattern[] =>
    list.map((text, i) => {
      try {
        const p = parsePattern(text);
        if (kind === "include" && isSystemSchema(p.db) && !/[*?]/.test(p.db)) {
          ctx.addIssue({
            code: "custom",
            path: [i],
            message: `"${p.db}" is a system schema and is never migrated; select application databases only`,
          });
        }
        return p;
      } catch (e) {
        ctx.addIssue({ code: "custom", path: [i], message: (e as Error).message });
        return { text, db: "" };
      }
    }),
  );
}

export const MigrateOptionsSchema = z
  .object({
    /** The POLARDB (source) endpoint. The account needs read access to the selected objects. */
    source: EndpointSchema,
    /** The RDS (target) endpoint. The account needs CREATE, ALTER, INSERT, DROP on the target databases. */
    target: EndpointSchema,
    /** What to migrate: `db` or `db.table`, `*` and `?` globs. At least one. */
    include: patternList("include").refine((l) => l.length > 0, {
      message: "nothing is selected: give at least one database or db.table to migrate",
    }),
    /** What to leave out of the included objects. */
    exclude: patternList("exclude").default([]),
    /** `old=new` database renames and `db.old=db.new` / `db.old=new` table renames. */
    rename: z
      .array(z.string())
      .default([])
      .transform((list, ctx): Rename[] =>
        list.map((text, i) => {
          try {
            return parseRename(text);
          } catch (e) {
            ctx.addIssue({ code: "custom", path: [i], message: (e as Error).message });
            return { text, db: "", toDb: "" };
          }
        }),
      ),
    /** What to do with a target table that already exists: fail the precheck (default), drop and recreate it, truncate it, or append to it. */
    onExisting: z.enum(ON_EXISTING).default("fail"),
    /** Parallel copy workers. Default: the number of cores, at least 2, at most 8. */
    threads: z.number().int().min(1).max(64).optional(),
    /** Free space on the target, checked against the source's data + index size by the precheck. */
    targetCapacity: SizeSchema.optional(),
    /**
     * Big tables are cut into key ranges of about this many bytes, copied in parallel, each one target
     * transaction (the unit of resume). Bench at 4x size: 64M 0.82x, 256M 1.04x, 512M 1.07x the load limit,
     * because only the first LOAD into an empty table takes MariaDB's bulk-insert path.
     */
    chunkBytes: SizeSchema.default(256 * 1024 * 1024),
    /**
     * Create secondary (non-unique, FULLTEXT, SPATIAL) indexes after the data is in: one sorted build
     * instead of row-by-row maintenance. Off by default: on MariaDB (10.6+) the first LOAD into an
     * empty table already builds indexes by sorting, and the bench measured 4.0 s with vs 3.4 s without;
     * worth trying on MySQL 8 targets (not measured here).
     */
    deferIndexes: z.boolean().default(false),
    /** Migrate the selected databases' views (and views selected by name). */
    views: z.boolean().default(true),
    /** Migrate the triggers of selected tables (created after the data, so they do not fire during the copy). */
    triggers: z.boolean().default(true),
    /** Migrate stored procedures and functions of databases selected as a whole. */
    routines: z.boolean().default(true),
    /** Migrate events of databases selected as a whole; created DISABLED on the target. */
    events: z.boolean().default(false),
    /** DEFINER of views, triggers, routines and events: keep it, set it to the target account (as DTS), or also make views and routines SQL SECURITY INVOKER. */
    definer: z.enum(DEFINER_POLICIES).default("migration-account"),
    /** Compare every chunk's row count and checksum on both sides after the copy. */
    verify: z.boolean().default(true),
    /** Discard an unfinished previous run (drop the tables it created) instead of continuing it. */
    restart: z.boolean().default(false),
    /** Attempts after the first for a chunk that fails with a transient error (lost connection, deadlock, lock wait). */
    retries: z.number().int().min(0).max(50).default(6),
    /** Rows of one LOAD DATA statement are cut at about this many bytes. */
    batchBytes: SizeSchema.default(16 * 1024 * 1024),
  })
  .strict();

export type MigrateOptionsInput = z.input<typeof MigrateOptionsSchema>;
export type MigrateOptions = z.output<typeof MigrateOptionsSchema> & { threads: number };

/** Formats zod issues as `field: message` lines, with the fix where one is known. */
export function formatIssues(error: z.ZodError, prefix = ""): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map((p) => (typeof p === "number" ? `[${p}]` : String(p)))]
        .filter(Boolean)
        .join(".")
        .replace(/\.\[/g, "[");
      if (issue.code === "unrecognized_keys") {
        return issue.keys
          .map((k) => `${path ? path + "." : ""}${k}: unknown field; check its spelling`)
          .join("\n");
      }
      return `${path || "options"}: ${issue.message}`;
    })
    .join("\n");
}

/** Validates raw options; throws InputError naming every bad field. */
export function parseOptions(raw: unknown): MigrateOptions {
  const result = MigrateOptionsSchema.safeParse(raw);
  if (!result.success) throw new InputError(formatIssues(result.error));
  const threads = result.data.threads ?? Math.min(8, Math.max(2, availableParallelism()));
  return { ...result.data, threads };
}

/**
 * The configuration of a migration: one zod schema for the component's Args and the stack config
 * (`polardb-to-rds:<key>`), built on the engine's own option schema so a bad include pattern or
 * size gets the same message as on the CLI. Errors name the config key and say how to fix it.
 *
 * Mode: with `sourceClusterId` and `targetInstanceId` (cloud mode) the program opens whitelists,
 * creates accounts and target databases and then runs the migration; without both (local mode) it
 * only runs the migration between two reachable MySQL servers with existing accounts.
 */
import { z } from "zod";
import { DEFINER_POLICIES, formatIssues, InputError, MigrateOptionsSchema, ON_EXISTING, SSL_MODES, staticDatabaseMapping } from "../migrator";
import { DTS_NETWORKS, dtsCidrsFor, UnknownDtsRegionError } from "./dts-cidrs";
import { dtsSelectionProblems } from "./dts-db-list";
import {
  accountNameProblem,
  mergeEntries,
  passwordProblem,
  RDS_DATABASE_NAME,
  WHITELIST_LIMIT,
  whitelistEntriesProblems,
  whitelistGroupNameProblem,
} from "./rules";
import { DEFAULT_WHITELIST_GROUP } from "./whitelist-groups";

/** The stack config namespace (the project name in Pulumi.yaml). */
export const CONFIG_NAMESPACE = "polardb-to-rds";

export const DEFAULT_SOURCE_USER = "p2rreader";
export const DEFAULT_TARGET_USER = "p2rwriter";

/** Who copies the data: the engine on the machine running `pulumi up`, or an Alibaba Cloud DTS task. */
export const ENGINES = ["direct", "dts"] as const;
export const DEFAULT_DTS_TIMEOUT_MINUTES = 1440;
/** DTS instance classes (dts.MigrationInstance instanceClass), slowest first. */
export const DTS_INSTANCE_CLASSES = ["small", "medium", "large", "xlarge", "xxlarge"] as const;

const port = z.number().int().min(1, "must be 1-65535").max(65535, "must be 1-65535");
const nonEmpty = (what: string) => z.string().min(1, `${what} is empty`);

export const MigrationConfigSchema = z
  .object({
    /** direct: the engine copies from the machine running pulumi up; dts: a DTS migration task copies (cloud mode). */
    engine: z.enum(ENGINES).default("direct"),
    /** engine dts: the DTS migration instance class (its speed; billed only during incremental migration, which is off). */
    dtsInstanceClass: z.enum(DTS_INSTANCE_CLASSES).default("small"),
    /** engine dts: how long pulumi up waits for the DTS task to finish. */
    dtsTimeoutMinutes: z.number().int().min(1, "must be at least 1").max(43200, "must be at most 43200 (30 days)").default(DEFAULT_DTS_TIMEOUT_MINUTES),
    /** POLARDB cluster ID (pc-...). Set it and targetInstanceId for cloud mode. */
    sourceClusterId: z.string().regex(/^pc-[a-z0-9]+$/, "a POLARDB cluster ID looks like pc-bp1xxxxxxxxxxxxxx").optional(),
    /** The source's region; default targetRegion. Used for the DTS WhiteIpList call. */
    sourceRegion: z.string().optional(),
    /** Address the engine connects to: the cluster endpoint (cloud) or any MySQL host (local). */
    sourceHost: nonEmpty("sourceHost"),
    sourcePort: port.default(3306),
    /** Cloud: the read-only account to create (default p2rreader). Local: an existing account. */
    sourceUser: z.string().optional(),
    /** Secret. Cloud: generated when omitted. Local: required. */
    sourcePassword: z.string().optional(),
    sourceSsl: z.enum(SSL_MODES).default("preferred"),
    sourceSslCa: z.string().optional(),

    /** RDS instance ID (rm-...). Set it and sourceClusterId for cloud mode. */
    targetInstanceId: z.string().regex(/^rm-[a-z0-9]+$/, "an RDS instance ID looks like rm-bp1xxxxxxxxxxxxxx").optional(),
    /** The RDS instance's region (default alicloud:region): selects the DTS CIDR list. */
    targetRegion: z.string().optional(),
    targetHost: nonEmpty("targetHost"),
    targetPort: port.default(3306),
    /** Cloud: the read/write account to create (default p2rwriter). Local: an existing account. */
    targetUser: z.string().optional(),
    targetPassword: z.string().optional(),
    targetSsl: z.enum(SSL_MODES).default("preferred"),
    targetSslCa: z.string().optional(),

    /** What to migrate: `db` or `db.table` (cloud mode: exact database names; table names may use * ?). */
    include: z.array(z.string()).min(1, "nothing is selected: give at least one database or db.table to migrate"),
    exclude: z.array(z.string()).default([]),
    rename: z.array(z.string()).default([]),
    onExisting: z.enum(ON_EXISTING).default("fail"),
    threads: z.number().int().optional(),
    /** Free space on the target; cloud default: the RDS instance's storage. */
    targetCapacity: z.union([z.number(), z.string()]).optional(),
    batchBytes: z.union([z.number(), z.string()]).optional(),
    chunkBytes: z.union([z.number(), z.string()]).optional(),
    deferIndexes: z.boolean().optional(),
    /** Schema objects that come along (views, triggers, routines by default; events on request) and their DEFINER policy. */
    views: z.boolean().optional(),
    triggers: z.boolean().optional(),
    routines: z.boolean().optional(),
    withEvents: z.boolean().optional(),
    definer: z.enum(DEFINER_POLICIES).optional(),
    verify: z.boolean().optional(),
    /** Drop what an unfinished earlier attempt created and start over instead of continuing it. */
    restart: z.boolean().optional(),
    retries: z.number().int().optional(),
    /** Cloud: `db=charset` per source database for the created RDS databases; default: as on the cluster. */
    characterSets: z.array(z.string().regex(/^[^=]+=[A-Za-z0-9_]+$/, 'use "db=charset", e.g. crm=latin1')).default([]),

    /** The POLARDB whitelist group this program owns. */
    whitelistGroupName: z.string().default(DEFAULT_WHITELIST_GROUP),
    whitelistHidden: z.boolean().default(false),
    /** Where the DTS CIDR blocks come from: the shipped table, the DTS OpenAPI at deploy time, or nowhere. */
    dtsCidrSource: z.enum(["table", "api", "none"]).default("table"),
    dtsNetwork: z.enum(DTS_NETWORKS).default("internet"),
    /** Explicit DTS CIDR blocks; when not empty, replaces the table / API list. */
    dtsCidrs: z.array(z.string()).optional(),
    /** Addresses of the machine running `pulumi up` (the engine connects from there). */
    runnerCidrs: z.array(z.string()).default([]),
    /** The runner is inside the POLARDB cluster's VPC: runnerCidrs are not added to the POLARDB group. */
    runnerInSourceVpc: z.boolean().default(false),
    /** The runner is inside the RDS instance's VPC: no RDS whitelist group is needed. */
    runnerInTargetVpc: z.boolean().default(false),
    /** The RDS whitelist group this program owns for the runner's addresses. */
    targetWhitelistGroupName: z.string().default(DEFAULT_WHITELIST_GROUP),
    /** OpenAPI endpoint overrides (regional or private endpoints, local stand-ins in tests). */
    polardbEndpoint: z.string().url().optional(),
    rdsEndpoint: z.string().url().optional(),
    dtsEndpoint: z.string().url().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    // Copy options: the engine's own schema, so the messages match the CLI's.
    const copy = MigrateOptionsSchema.pick(Object.fromEntries(COPY_OPTION_KEYS.map((k) => [k, true] as const)) as { [K in CopyOptionKey]: true }).safeParse(
      withoutUndefined(copyOptionsOf(c)),
    );
    if (!copy.success) {
      for (const i of copy.error.issues) ctx.addIssue({ code: "custom", path: i.path as (string | number)[], message: i.message });
    }

    const cloud = c.sourceClusterId !== undefined || c.targetInstanceId !== undefined;
    if (!cloud && c.engine === "dts") {
      issue("engine", "DTS migrates between Alibaba Cloud instances: set sourceClusterId and targetInstanceId (cloud mode), or use engine direct");
    }
    if (c.engine === "dts") dtsProblems(c, issue);
    if (!cloud) {
      for (const key of ["sourceUser", "sourcePassword", "targetUser", "targetPassword"] as const) {
        if (!c[key]) {
          issue(key, `local mode connects with an existing account: set it (pulumi config set ${key.endsWith("Password") ? "--secret " : ""}${CONFIG_NAMESPACE}:${key} ...), or set sourceClusterId and targetInstanceId for cloud mode`);
        }
      }
      return;
    }
    if (c.sourceClusterId === undefined) issue("sourceClusterId", "cloud mode needs the POLARDB cluster ID too (targetInstanceId is set); remove both for local mode");
    if (c.targetInstanceId === undefined) issue("targetInstanceId", "cloud mode needs the RDS instance ID too (sourceClusterId is set); remove both for local mode");

    const src = accountNameProblem(c.sourceUser ?? DEFAULT_SOURCE_USER, "POLARDB");
    if (src) issue("sourceUser", src);
    const tgt = accountNameProblem(c.targetUser ?? DEFAULT_TARGET_USER, "RDS");
    if (tgt) issue("targetUser", tgt);
    for (const key of ["sourcePassword", "targetPassword"] as const) {
      const value = c[key];
      const problem = value !== undefined ? passwordProblem(value) : undefined;
      if (problem) issue(key, `${problem} (POLARDB and RDS rules); or remove it to have one generated`);
    }
    const groupProblem = whitelistGroupNameProblem(c.whitelistGroupName);
    if (groupProblem) issue("whitelistGroupName", groupProblem);
    const targetGroupProblem = whitelistGroupNameProblem(c.targetWhitelistGroupName);
    if (targetGroupProblem) issue("targetWhitelistGroupName", targetGroupProblem);

    if (c.runnerCidrs.length === 0 && !(c.runnerInSourceVpc && c.runnerInTargetVpc)) {
      issue(
        "runnerCidrs",
        "the engine connects from the machine running pulumi up: list its public address(es), e.g. pulumi config set --path " +
          `'${CONFIG_NAMESPACE}:runnerCidrs[0]' 203.0.113.7/32; if it runs inside the VPC of the cluster and the instance, ` +
          `set ${CONFIG_NAMESPACE}:runnerInSourceVpc and ${CONFIG_NAMESPACE}:runnerInTargetVpc to true instead`,
      );
    }
    for (const p of whitelistEntriesProblems(c.runnerCidrs)) issue("runnerCidrs", p);
    for (const p of whitelistEntriesProblems(c.dtsCidrs ?? [])) issue("dtsCidrs", p);

    const explicitDts = c.dtsCidrs !== undefined && c.dtsCidrs.length > 0;
    let dtsList: string[] = explicitDts ? c.dtsCidrs! : [];
    if (c.engine === "dts" && c.targetRegion === undefined) {
      issue("targetRegion", `engine dts creates the DTS instance in the RDS region: pulumi config set ${CONFIG_NAMESPACE}:targetRegion cn-hangzhou (or alicloud:region)`);
    } else if (!explicitDts && c.dtsCidrSource !== "none" && c.targetRegion === undefined) {
      issue("targetRegion", `the DTS CIDR list depends on the RDS region: pulumi config set ${CONFIG_NAMESPACE}:targetRegion cn-hangzhou (or alicloud:region)`);
    } else if (!explicitDts && c.dtsCidrSource === "table" && c.targetRegion !== undefined) {
      try {
        dtsList = dtsCidrsFor(c.targetRegion, c.dtsNetwork);
      } catch (e) {
        if (!(e instanceof UnknownDtsRegionError)) throw e;
        issue("targetRegion", e.message);
      }
    }
    const total = mergeEntries(dtsList, c.runnerInSourceVpc ? [] : c.runnerCidrs).length;
    if (total > WHITELIST_LIMIT) {
      issue("runnerCidrs", `the POLARDB group would hold ${total} entries (DTS CIDRs plus runnerCidrs), over the limit of ${WHITELIST_LIMIT}`);
    }

    // Cloud mode declares the target databases at preview time: they must be named exactly.
    if (copy.success) {
      try {
        for (const m of staticDatabaseMapping({ include: c.include, exclude: c.exclude, rename: c.rename })) {
          if (!RDS_DATABASE_NAME.test(m.targetDb)) {
            issue(
              "rename",
              `target database "${m.targetDb}" is not a valid RDS database name (2-64 lowercase letters, digits, _ and -, a letter first): ` +
                `rename it, e.g. pulumi config set --path '${CONFIG_NAMESPACE}:rename[0]' '${m.sourceDb}=${m.targetDb.toLowerCase().replace(/[^a-z0-9_-]/g, "_")}'`,
            );
          }
        }
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        const field = e.field ?? "include";
        issue(field, e.field ? e.message.slice(e.field.length + 2) : e.message);
      }
    }
  });

/** The engine options the stack config carries, under the engine's names. */
export const COPY_OPTION_KEYS = [
  "include", "exclude", "rename", "onExisting", "threads", "targetCapacity", "batchBytes", "chunkBytes", "deferIndexes",
  "views", "triggers", "routines", "events", "definer", "verify", "restart", "retries",
] as const;
type CopyOptionKey = (typeof COPY_OPTION_KEYS)[number];

/** The copy options of a stack config as the engine (and MigrationRun) takes them. */
export function copyOptionsOf(
  c: Pick<
    MigrationConfig,
    "include" | "exclude" | "rename" | "onExisting" | "threads" | "targetCapacity" | "batchBytes" | "chunkBytes" | "deferIndexes" |
    "views" | "triggers" | "routines" | "withEvents" | "definer" | "verify" | "restart" | "retries"
  >,
) {
  return {
    include: c.include,
    exclude: c.exclude,
    rename: c.rename,
    onExisting: c.onExisting,
    threads: c.threads,
    targetCapacity: c.targetCapacity,
    batchBytes: c.batchBytes,
    chunkBytes: c.chunkBytes,
    deferIndexes: c.deferIndexes,
    views: c.views,
    triggers: c.triggers,
    routines: c.routines,
    events: c.withEvents,
    definer: c.definer,
    verify: c.verify,
    restart: c.restart,
    retries: c.retries,
  };
}

/** What engine dts cannot do that the direct engine can: each names its key and the fix. */
function dtsProblems(
  c: { onExisting: string; include: string[]; exclude: string[]; rename: string[]; withEvents?: boolean; definer?: string },
  issue: (path: string, message: string) => void,
): void {
  // DTS migrates views, triggers and routines itself, under its own DEFINER rule, and no events.
  if (c.withEvents) issue("withEvents", "DTS does not migrate events: remove withEvents, or use engine direct");
  if (c.definer !== undefined && c.definer !== "migration-account") {
    issue("definer", `DTS applies its own DEFINER rule to views, triggers and routines: remove definer, or use engine direct for "${c.definer}"`);
  }
  if (c.onExisting !== "fail") {
    issue(
      "onExisting",
      `engine dts stops at its own precheck when a target table exists, so only "fail" applies: remove onExisting, ` +
        `drop or rename the existing tables, or use engine direct`,
    );
  }
  for (const [field, message] of dtsSelectionProblems(c)) issue(field, message);
}

export type MigrationConfigInput = z.input<typeof MigrationConfigSchema>;
export type MigrationConfig = z.output<typeof MigrationConfigSchema>;

export function isCloudMode(c: MigrationConfig): boolean {
  return c.sourceClusterId !== undefined && c.targetInstanceId !== undefined;
}

function withoutUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A bad configuration: every line is `polardb-to-rds:<key>: <problem and fix>`. */
export class ConfigError extends Error {
  constructor(readonly lines: string[]) {
    super(`invalid configuration:\n${lines.map((l) => `  ${l}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Validates the configuration; throws ConfigError naming each bad key. Never echoes a password. */
export function parseMigrationConfig(raw: unknown): MigrationConfig {
  const result = MigrationConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = formatIssues(result.error)
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => `${CONFIG_NAMESPACE}:${l}`);
  throw new ConfigError(lines);
}

/**
 * MigrationRun: a dynamic resource whose creation is one migration (precheck, schema, full data,
 * verify) from the source to the target with the migrator engine.
 *
 * - create: runs the migration; outputs the report summary (no secrets).
 * - diff: a change of source or target server/user, selection, renames or onExisting replaces it
 *   (a new run, shown as +- with the fields named); anything else is no change.
 * - update: records the new inputs, never copies again. read: returns the stored state.
 * - delete: leaves every migrated database, table and row in place.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  EndpointState,
  migrationRunProvider,
  OnExistingPolicy,
  DefinerPolicy,
  TableSummary,
} from "./migration-run-provider";

export type { EndpointState, MigrationRunInputs, MigrationSummary, TableSummary } from "./migration-run-provider";

export interface EndpointArgs {
  host: pulumi.Input<string>;
  port: pulumi.Input<number>;
  user: pulumi.Input<string>;
  /** Sent as a Pulumi secret, never stored in the outputs. */
  password?: pulumi.Input<string>;
  ssl?: pulumi.Input<EndpointState["ssl"]>;
  sslCa?: pulumi.Input<string>;
}

export interface MigrationRunArgs {
  source: EndpointArgs;
  target: EndpointArgs;
  include: pulumi.Input<pulumi.Input<string>[]>;
  exclude?: pulumi.Input<pulumi.Input<string>[]>;
  rename?: pulumi.Input<pulumi.Input<string>[]>;
  onExisting?: pulumi.Input<OnExistingPolicy>;
  threads?: pulumi.Input<number>;
  targetCapacity?: pulumi.Input<number | string | null>;
  batchBytes?: pulumi.Input<number | string>;
  chunkBytes?: pulumi.Input<number | string>;
  deferIndexes?: pulumi.Input<boolean>;
  /** Schema objects: views, triggers, procedures and functions (default on), events (default off). */
  views?: pulumi.Input<boolean>;
  triggers?: pulumi.Input<boolean>;
  routines?: pulumi.Input<boolean>;
  events?: pulumi.Input<boolean>;
  /** DEFINER of those objects: keep, migration-account (default) or invoker. */
  definer?: pulumi.Input<DefinerPolicy>;
  verify?: pulumi.Input<boolean>;
  restart?: pulumi.Input<boolean>;
  retries?: pulumi.Input<number>;
}

/** Text shown in the program's outputs and docs: what destroy does with the data. */
export const DESTROY_NOTE =
  "pulumi destroy removes the migration accounts and whitelist groups; the migrated databases, tables and rows stay on the target";

/** MigrationRun's inputs as resource properties (passwords top-level, so that only they are secret). */
export function runProps(args: MigrationRunArgs) {
  const endpoint = (e: EndpointArgs) => ({ host: e.host, port: e.port, user: e.user, ssl: e.ssl ?? null, sslCa: e.sslCa ?? null });
  const secret = (password: pulumi.Input<string> | undefined) => (password === undefined ? null : pulumi.secret(password));
  return {
    source: endpoint(args.source),
    target: endpoint(args.target),
    sourcePassword: secret(args.source.password),
    targetPassword: secret(args.target.password),
    include: args.include,
    exclude: args.exclude ?? [],
    rename: args.rename ?? [],
    onExisting: args.onExisting ?? "fail",
    threads: args.threads ?? null,
    targetCapacity: args.targetCapacity ?? null,
    batchBytes: args.batchBytes ?? null,
    chunkBytes: args.chunkBytes ?? null,
    deferIndexes: args.deferIndexes ?? null,
    views: args.views ?? null,
    triggers: args.triggers ?? null,
    routines: args.routines ?? null,
    events: args.events ?? null,
    definer: args.definer ?? null,
    verify: args.verify ?? null,
    restart: args.restart ?? null,
    retries: args.retries ?? null,
  };
}

export class MigrationRun extends pulumi.dynamic.Resource {
  declare readonly tables: pulumi.Output<number>;
  declare readonly rows: pulumi.Output<number>;
  declare readonly bytes: pulumi.Output<number>;
  declare readonly seconds: pulumi.Output<number>;
  declare readonly verified: pulumi.Output<boolean>;
  declare readonly resumed: pulumi.Output<boolean>;
  declare readonly snapshot: pulumi.Output<string>;
  declare readonly warnings: pulumi.Output<string[]>;
  declare readonly targetDatabases: pulumi.Output<string[]>;
  declare readonly tableReports: pulumi.Output<TableSummary[]>;
  declare readonly completedAt: pulumi.Output<string>;

  constructor(name: string, args: MigrationRunArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      migrationRunProvider,
      name,
      {
        ...runProps(args),
        tables: undefined,
        rows: undefined,
        bytes: undefined,
        seconds: undefined,
        verified: undefined,
        resumed: undefined,
        snapshot: undefined,
        warnings: undefined,
        targetDatabases: undefined,
        tableReports: undefined,
        completedAt: undefined,
      },
      opts,
      "polardb-to-rds",
      "MigrationRun",
    );
  }
}

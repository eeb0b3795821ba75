/**
 * The two dynamic resources around a DTS migration (engine dts):
 * - MigrationPrecheck: the engine's precheck from the runner, before any DTS resource exists;
 *   outputs the plan (tables and target names) the DTS object list can be built from.
 * - DtsMigrationWait: waits for the DTS task to finish (DescribeDtsJobDetail), then verifies the
 *   copy with the engine from the runner; outputs the task id, status and verification report.
 * Both take MigrationRun's connection and selection arguments; passwords are the only secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import { precheckProvider, PlannedTableSummary, PrecheckItemSummary } from "./dts-precheck-provider";
import { dtsWaitProvider, TableVerificationSummary } from "./dts-wait-provider";
import { runProps, type MigrationRunArgs } from "./migration-run";

export type { PlannedTableSummary, PrecheckItemSummary } from "./dts-precheck-provider";
export type { TableVerificationSummary } from "./dts-wait-provider";


export class MigrationPrecheck extends pulumi.dynamic.Resource {
  declare readonly items: pulumi.Output<PrecheckItemSummary[]>;
  /** The engine's plan: every selected source table and its target name. */
  declare readonly tables: pulumi.Output<PlannedTableSummary[]>;
  declare readonly targetDatabases: pulumi.Output<string[]>;
  declare readonly sourceBytes: pulumi.Output<number>;
  declare readonly warnings: pulumi.Output<string[]>;
  declare readonly checkedAt: pulumi.Output<string>;

  constructor(name: string, args: MigrationRunArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      precheckProvider,
      name,
      {
        ...runProps(args),
        items: undefined,
        tables: undefined,
        targetDatabases: undefined,
        sourceBytes: undefined,
        warnings: undefined,
        checkedAt: undefined,
      },
      opts,
      "polardb-to-rds",
      "MigrationPrecheck",
    );
  }
}

export interface DtsMigrationWaitArgs extends MigrationRunArgs {
  dtsJobId: pulumi.Input<string>;
  dtsInstanceId: pulumi.Input<string>;
  /** The DTS instance's region (the RDS region). */
  region: pulumi.Input<string>;
  dtsEndpoint?: pulumi.Input<string>;
  timeoutMinutes: pulumi.Input<number>;
  /** Seconds between status calls; default 30. */
  pollSeconds?: pulumi.Input<number>;
}

export class DtsMigrationWait extends pulumi.dynamic.Resource {
  declare readonly dtsJobId: pulumi.Output<string>;
  declare readonly status: pulumi.Output<string>;
  declare readonly finishedAt: pulumi.Output<string>;
  declare readonly waitedSeconds: pulumi.Output<number>;
  declare readonly verified: pulumi.Output<boolean>;
  declare readonly verification: pulumi.Output<TableVerificationSummary[]>;
  declare readonly rows: pulumi.Output<number>;

  constructor(name: string, args: DtsMigrationWaitArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dtsWaitProvider,
      name,
      {
        ...runProps(args),
        dtsJobId: args.dtsJobId,
        dtsInstanceId: args.dtsInstanceId,
        region: args.region,
        dtsEndpoint: args.dtsEndpoint ?? null,
        timeoutMinutes: args.timeoutMinutes,
        pollSeconds: args.pollSeconds ?? null,
        status: undefined,
        finishedAt: undefined,
        waitedSeconds: undefined,
        verified: undefined,
        verification: undefined,
        rows: undefined,
      },
      opts,
      "polardb-to-rds",
      "DtsMigrationWait",
    );
  }
}

/** The providers, for tests that drive them through the SDK's dynamic-provider host. */
export const dtsProviders = { precheck: precheckProvider, wait: dtsWaitProvider };

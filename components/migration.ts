/**
 * PolarDbToRdsMigration: everything a POLARDB -> RDS migration needs around the engine.
 *
 * Cloud mode (sourceClusterId + targetInstanceId):
 *   whitelist groups (POLARDB: DTS CIDRs of the destination region + runnerCidrs; RDS: runnerCidrs)
 *   -> read-only POLARDB account on the source databases, RDS databases (retained on destroy) and a
 *   read/write RDS account on them -> MigrationRun. Destroy removes the run record, accounts and
 *   groups; databases and data stay.
 * Local mode: only the MigrationRun, with the configured hosts and existing accounts.
 *
 * engine "dts" (cloud mode only): instead of the MigrationRun, MigrationPrecheck (the engine's
 *   precheck from the runner) -> dts.MigrationInstance + dts.MigrationJob (schema + full data, the
 *   same accounts and selection) -> DtsMigrationWait (waits for the task, then verifies from the
 *   runner). The RDS group also gets the DTS CIDR blocks. Destroy releases the DTS task and instance.
 */
import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { staticDatabaseMapping } from "../migrator";
import { copyOptionsOf, isCloudMode, MigrationConfig, MigrationConfigInput, parseMigrationConfig, DEFAULT_SOURCE_USER, DEFAULT_TARGET_USER } from "./config";
import { dtsCidrsFor } from "./dts-cidrs";
import { planDbList, SelectionInput, staticDbList } from "./dts-db-list";
import { declareDtsJob } from "./dts-job";
import { DtsMigrationWait, MigrationPrecheck, TableVerificationSummary } from "./dts-resources";
import { DESTROY_NOTE, MigrationRun, MigrationRunArgs } from "./migration-run";
import { mergeEntries, RANDOM_PASSWORD_ARGS } from "./rules";
import { DtsCidrQuery, PolarDbWhitelistGroup, RdsWhitelistGroup } from "./whitelist-groups";

export type PolarDbToRdsMigrationArgs = MigrationConfigInput;

export const COMPONENT_TYPE = "polardb-to-rds:index:PolarDbToRdsMigration";

/** The report summary the component outputs. */
export interface MigrationReportSummary {
  tables: number;
  rows: number;
  bytes: number;
  seconds: number;
  verified: boolean;
  resumed: boolean;
  warnings: string[];
  targetDatabases: string[];
}

const GIB = 1024 ** 3;

/** The resources of engine dts. */
export interface DtsMigrationResources {
  precheck: MigrationPrecheck;
  instance: alicloud.dts.MigrationInstance;
  job: alicloud.dts.MigrationJob;
  wait: DtsMigrationWait;
}

export class PolarDbToRdsMigration extends pulumi.ComponentResource {
  readonly mode: "cloud" | "local";
  readonly engine: "direct" | "dts";
  private readonly directRun?: MigrationRun;
  /** engine dts: the precheck, DTS instance and task, and the wait + verification resource. */
  readonly dts?: DtsMigrationResources;
  /** engine dts: the DTS task ID (null with the direct engine). */
  readonly dtsJobId: pulumi.Output<string | null>;
  /** engine dts: the task's final status, e.g. Finished (null with the direct engine). */
  readonly dtsStatus: pulumi.Output<string | null>;
  /** engine dts: the verification report per table (null with the direct engine: see report). */
  readonly verification: pulumi.Output<TableVerificationSummary[] | null>;
  readonly report: pulumi.Output<MigrationReportSummary>;
  readonly sourceAccountName: pulumi.Output<string>;
  readonly targetAccountName: pulumi.Output<string>;
  /** `POLARDB <cluster>/<group>` and `RDS <instance>/<group>` for the groups this component owns. */
  readonly whitelistGroups: pulumi.Output<string[]>;
  /** Target databases created (cloud mode) and retained on destroy. */
  readonly targetDatabases: string[];
  readonly destroyNote: string = DESTROY_NOTE;

  constructor(name: string, args: PolarDbToRdsMigrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPE, name, {}, opts);
    const c = parseMigrationConfig(args);
    this.engine = c.engine;
    // targetCapacity is resolved per mode below (cloud: the RDS instance's storage by default).
    const { targetCapacity: _resolvedPerMode, ...copyOptions } = copyOptionsOf(c);
    const endpoint = (side: "source" | "target", user: pulumi.Input<string>, password: pulumi.Input<string>) => ({
      host: c[`${side}Host`],
      port: c[`${side}Port`],
      user,
      password,
      ssl: c[`${side}Ssl`],
      sslCa: c[`${side}SslCa`],
    });

    let report: pulumi.Output<MigrationReportSummary> | undefined;
    if (!isCloudMode(c)) {
      this.mode = "local";
      this.directRun = new MigrationRun(
        `${name}-run`,
        {
          ...copyOptions,
          source: endpoint("source", c.sourceUser!, pulumi.secret(c.sourcePassword!)),
          target: endpoint("target", c.targetUser!, pulumi.secret(c.targetPassword!)),
          targetCapacity: c.targetCapacity,
        },
        { parent: this },
      );
      this.sourceAccountName = pulumi.output(c.sourceUser!);
      this.targetAccountName = pulumi.output(c.targetUser!);
      this.whitelistGroups = pulumi.output([]);
      this.targetDatabases = [];
    } else {
      this.mode = "cloud";
      const cloud = this.declareCloud(name, c);
      const runArgs: MigrationRunArgs = {
        ...copyOptions,
        source: endpoint("source", cloud.sourceUser, cloud.sourcePassword),
        target: endpoint("target", cloud.targetUser, cloud.targetPassword),
        targetCapacity: cloud.targetCapacity,
      };
      if (c.engine === "dts") {
        this.dts = this.declareDts(name, c, runArgs, cloud);
        report = this.dtsReport(this.dts);
      } else {
        this.directRun = new MigrationRun(`${name}-run`, runArgs, { parent: this, dependsOn: cloud.dependencies });
      }
      this.sourceAccountName = cloud.sourceUser;
      this.targetAccountName = cloud.targetUser;
      this.whitelistGroups = cloud.groups;
      this.targetDatabases = cloud.targetDatabases;
    }

    const run = this.directRun;
    this.report =
      report ??
      pulumi.output({
        tables: run!.tables,
        rows: run!.rows,
        bytes: run!.bytes,
        seconds: run!.seconds,
        verified: run!.verified,
        resumed: run!.resumed,
        warnings: run!.warnings,
        targetDatabases: run!.targetDatabases,
      });
    this.dtsJobId = this.dts ? this.dts.job.id : pulumi.output(null);
    this.dtsStatus = this.dts ? this.dts.wait.status : pulumi.output(null);
    this.verification = this.dts ? this.dts.wait.verification : pulumi.output(null);
    this.registerOutputs({
      mode: this.mode,
      engine: this.engine,
      dtsJobId: this.dtsJobId,
      dtsStatus: this.dtsStatus,
      verification: this.verification,
      report: this.report,
      sourceAccountName: this.sourceAccountName,
      targetAccountName: this.targetAccountName,
      whitelistGroups: this.whitelistGroups,
      targetDatabases: this.targetDatabases,
      destroyNote: this.destroyNote,
    });
  }

  /** The direct engine's MigrationRun; engine dts has none (see `dts`). */
  get run(): MigrationRun {
    if (!this.directRun) throw new Error("engine dts declares no MigrationRun: use the dts resources (dts.wait for the result)");
    return this.directRun;
  }

  /**
   * engine dts: precheck from the runner -> DTS instance and task -> wait and verify from the runner.
   * The object list comes from the selection when it names every table, else from the precheck's plan.
   */
  private declareDts(name: string, c: MigrationConfig, runArgs: MigrationRunArgs, cloud: { dependencies: pulumi.Resource[]; sourceUser: pulumi.Output<string>; targetUser: pulumi.Output<string>; sourcePassword: pulumi.Output<string>; targetPassword: pulumi.Output<string> }): DtsMigrationResources {
    const precheck = new MigrationPrecheck(`${name}-precheck`, runArgs, { parent: this, dependsOn: cloud.dependencies });
    const selection: SelectionInput = { include: c.include, exclude: c.exclude, rename: c.rename };
    const fixed = staticDbList(selection);
    const dbList = fixed ? JSON.stringify(fixed) : precheck.tables.apply((tables) => JSON.stringify(planDbList(selection, tables ?? [])));
    const targetRegion = c.targetRegion!;
    const { instance, job } = declareDtsJob(
      name,
      {
        clusterId: c.sourceClusterId!,
        instanceId: c.targetInstanceId!,
        sourceRegion: c.sourceRegion ?? targetRegion,
        targetRegion,
        instanceClass: c.dtsInstanceClass,
        sourceUser: cloud.sourceUser,
        sourcePassword: cloud.sourcePassword,
        targetUser: cloud.targetUser,
        targetPassword: cloud.targetPassword,
        dbList,
        jobName: `polardb-to-rds-${name}`.slice(0, 64),
      },
      { parent: this, dependsOn: [...cloud.dependencies, precheck] },
    );
    const wait = new DtsMigrationWait(
      `${name}-dts-wait`,
      {
        ...runArgs,
        dtsJobId: job.id,
        dtsInstanceId: instance.dtsInstanceId,
        region: targetRegion,
        dtsEndpoint: c.dtsEndpoint,
        timeoutMinutes: c.dtsTimeoutMinutes,
      },
      { parent: this, dependsOn: [job, precheck] },
    );
    return { precheck, instance, job, wait };
  }

  private dtsReport(d: DtsMigrationResources): pulumi.Output<MigrationReportSummary> {
    return pulumi.output({
      tables: d.wait.verification.apply((v) => (v ?? []).length),
      rows: d.wait.rows,
      bytes: d.precheck.sourceBytes,
      seconds: d.wait.waitedSeconds,
      verified: d.wait.verified,
      resumed: false,
      warnings: d.precheck.warnings,
      targetDatabases: d.precheck.targetDatabases,
    });
  }

  /** The cloud resources the run depends on. */
  private declareCloud(name: string, c: MigrationConfig) {
    const child = { parent: this };
    const clusterId = c.sourceClusterId!;
    const instanceId = c.targetInstanceId!;
    const runnerCidrs = c.runnerCidrs;

    const mapping = staticDatabaseMapping({ include: c.include, exclude: c.exclude, rename: c.rename });
    const sourceDbs = [...new Set(mapping.map((m) => m.sourceDb))];

    const password = (side: "source" | "target"): pulumi.Output<string> => {
      const configured = c[`${side}Password`];
      return configured !== undefined
        ? pulumi.secret(configured)
        : new random.RandomPassword(`${name}-${side}-password`, { ...RANDOM_PASSWORD_ARGS }, child).result;
    };
    const sourcePassword = password("source");
    const targetPassword = password("target");

    // Whitelists first: DTS CIDRs of the destination (RDS) region plus the runner on POLARDB ...
    const groups: pulumi.Resource[] = [];
    const groupNames: pulumi.Output<string>[] = [];
    const region = c.targetRegion;
    const explicitDts = c.dtsCidrs !== undefined && c.dtsCidrs.length > 0;
    const dtsTable = explicitDts ? c.dtsCidrs! : c.dtsCidrSource === "table" && region ? dtsCidrsFor(region, c.dtsNetwork) : [];
    const dtsQuery: DtsCidrQuery | undefined =
      !explicitDts && c.dtsCidrSource === "api" && region
        ? { region: c.sourceRegion ?? region, destinationRegion: region, network: c.dtsNetwork }
        : undefined;
    const sourceEntries = mergeEntries(dtsTable, c.runnerInSourceVpc ? [] : runnerCidrs);
    if (sourceEntries.length > 0 || dtsQuery) {
      const g = new PolarDbWhitelistGroup(
        `${name}-source-whitelist`,
        {
          dbClusterId: clusterId,
          groupName: c.whitelistGroupName,
          securityIps: sourceEntries,
          dtsCidrs: dtsQuery,
          hidden: c.whitelistHidden,
          endpoint: c.polardbEndpoint,
          dtsEndpoint: c.dtsEndpoint,
        },
        child,
      );
      groups.push(g);
      groupNames.push(pulumi.interpolate`POLARDB ${g.dbClusterId}/${g.groupName}`);
    }
    // ... and on RDS the runner when it is outside the instance's VPC, plus (engine dts) DTS's CIDRs:
    // DTS documents them for both ends of a migration.
    const dts = c.engine === "dts";
    const targetEntries = mergeEntries(dts ? dtsTable : [], c.runnerInTargetVpc ? [] : runnerCidrs);
    if (targetEntries.length > 0 || (dts && dtsQuery)) {
      const g = new RdsWhitelistGroup(
        `${name}-target-whitelist`,
        {
          dbInstanceId: instanceId,
          groupName: c.targetWhitelistGroupName,
          securityIps: targetEntries,
          dtsCidrs: dts ? dtsQuery : undefined,
          dtsEndpoint: c.dtsEndpoint,
          hidden: c.whitelistHidden,
          endpoint: c.rdsEndpoint,
        },
        child,
      );
      groups.push(g);
      groupNames.push(pulumi.interpolate`RDS ${g.dbInstanceId}/${g.groupName}`);
    }

    // Source: a read-only account on exactly the source databases of the selection.
    const sourceAccount = new alicloud.polardb.Account(
      `${name}-source-account`,
      {
        dbClusterId: clusterId,
        accountName: c.sourceUser ?? DEFAULT_SOURCE_USER,
        accountPassword: sourcePassword,
        accountType: "Normal",
        accountDescription: `polardb-to-rds read-only account for migrating ${sourceDbs.join(", ")} to ${instanceId}`.slice(0, 256),
      },
      child,
    );
    const sourcePrivilege = new alicloud.polardb.AccountPrivilege(
      `${name}-source-privilege`,
      { dbClusterId: clusterId, accountName: sourceAccount.accountName, accountPrivilege: "ReadOnly", dbNames: sourceDbs },
      child,
    );

    // Target: one database per destination database, with the source database's character set.
    // retainOnDelete: pulumi destroy forgets them and never drops migrated data.
    const clusterDatabases = alicloud.polardb.getDatabasesOutput({ dbClusterId: clusterId }, child);
    const configured = new Map(c.characterSets.map((e) => [e.slice(0, e.lastIndexOf("=")), e.slice(e.lastIndexOf("=") + 1)]));
    const characterSet = (sourceDb: string): pulumi.Input<string> =>
      configured.get(sourceDb) ??
      clusterDatabases.databases.apply((list) => list.find((d) => d.dbName === sourceDb)?.characterSetName || "utf8mb4");
    const targets = mapping.filter((m, i) => mapping.findIndex((x) => x.targetDb === m.targetDb) === i);
    const databases = targets.map(
        (m) =>
          new alicloud.rds.Database(
            `${name}-database-${m.targetDb}`,
            {
              instanceId,
              dataBaseName: m.targetDb,
              characterSet: characterSet(m.sourceDb),
              description: `migrated from ${clusterId} database ${m.sourceDb} by polardb-to-rds`.slice(0, 256),
            },
            { parent: this, retainOnDelete: true },
          ),
      );
    const targetAccount = new alicloud.rds.RdsAccount(
      `${name}-target-account`,
      {
        dbInstanceId: instanceId,
        accountName: c.targetUser ?? DEFAULT_TARGET_USER,
        accountPassword: targetPassword,
        accountType: "Normal",
        accountDescription: `polardb-to-rds read/write account for migrating from ${clusterId}`,
      },
      child,
    );
    const targetPrivilege = new alicloud.rds.AccountPrivilege(
      `${name}-target-privilege`,
      {
        instanceId,
        accountName: targetAccount.accountName,
        privilege: "ReadWrite",
        dbNames: databases.map((d) => d.dataBaseName),
      },
      { parent: this, dependsOn: databases },
    );

    return {
      sourceUser: sourceAccount.accountName,
      targetUser: targetAccount.accountName,
      sourcePassword,
      targetPassword,
      targetCapacity: this.capacity(c, clusterId, instanceId),
      groups: pulumi.all(groupNames),
      targetDatabases: targets.map((m) => m.targetDb),
      dependencies: [...groups, sourceAccount, sourcePrivilege, ...databases, targetAccount, targetPrivilege],
    };
  }

  /**
   * The capacity the engine's precheck compares the selected source bytes against: the configured
   * targetCapacity, else the RDS instance's storage (rds.getInstances has no used-space figure).
   * Warns when the cluster's used storage exceeds it (the seed's rule: RDS free > POLARDB used).
   */
  private capacity(c: MigrationConfig, clusterId: string, instanceId: string): pulumi.Input<number | string | null> {
    if (c.targetCapacity !== undefined) return c.targetCapacity;
    const opts = { parent: this };
    const storage = alicloud.rds.getInstancesOutput({ ids: [instanceId] }, opts).instances;
    const used = alicloud.polardb.getClustersOutput({ ids: [clusterId] }, opts).clusters;
    return pulumi.all([storage, used]).apply(([instances, clusters]) => {
      const gib = instances[0]?.instanceStorage;
      const capacity = gib ? gib * GIB : 0;
      const clusterUsed = clusters[0]?.storageUsed ?? 0;
      if (capacity > 0 && clusterUsed > capacity) {
        pulumi.log.warn(
          `POLARDB ${clusterId} uses ${clusterUsed} bytes, more than RDS ${instanceId}'s ${capacity} bytes of storage; ` +
            `the precheck fails if the selected databases do not fit`,
          this,
        );
      }
      return capacity > 0 ? capacity : null;
    });
  }
}

/**
 * PolarDbToRdsMigration: everything a POLARDB -> RDS migration needs around the engine.
 *
 * Cloud mode (sourceClusterId + targetInstanceId):
 *   whitelist groups (POLARDB: DTS CIDRs of the destination region + runnerCidrs; RDS: runnerCidrs)
 *   -> read-only POLARDB account on the source databases, RDS databases (retained on destroy) and a
 *   read/write RDS account on them -> MigrationRun. Destroy removes the run record, accounts and
 *   groups; databases and data stay.
 * Local mode: only the MigrationRun, with the configured hosts and existing accounts.
 */
import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { staticDatabaseMapping } from "../migrator";
import { isCloudMode, MigrationConfig, MigrationConfigInput, parseMigrationConfig, DEFAULT_SOURCE_USER, DEFAULT_TARGET_USER } from "./config";
import { dtsCidrsFor } from "./dts-cidrs";
import { DESTROY_NOTE, MigrationRun } from "./migration-run";
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

export class PolarDbToRdsMigration extends pulumi.ComponentResource {
  readonly mode: "cloud" | "local";
  readonly run: MigrationRun;
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
    const copyOptions = {
      include: c.include,
      exclude: c.exclude,
      rename: c.rename,
      onExisting: c.onExisting,
      threads: c.threads,
      batchBytes: c.batchBytes,
      chunkBytes: c.chunkBytes,
      deferIndexes: c.deferIndexes,
      verify: c.verify,
      restart: c.restart,
      retries: c.retries,
    };
    const endpoint = (side: "source" | "target", user: pulumi.Input<string>, password: pulumi.Input<string>) => ({
      host: c[`${side}Host`],
      port: c[`${side}Port`],
      user,
      password,
      ssl: c[`${side}Ssl`],
      sslCa: c[`${side}SslCa`],
    });

    if (!isCloudMode(c)) {
      this.mode = "local";
      this.run = new MigrationRun(
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
      this.run = new MigrationRun(
        `${name}-run`,
        {
          ...copyOptions,
          source: endpoint("source", cloud.sourceUser, cloud.sourcePassword),
          target: endpoint("target", cloud.targetUser, cloud.targetPassword),
          targetCapacity: cloud.targetCapacity,
        },
        { parent: this, dependsOn: cloud.dependencies },
      );
      this.sourceAccountName = cloud.sourceUser;
      this.targetAccountName = cloud.targetUser;
      this.whitelistGroups = cloud.groups;
      this.targetDatabases = cloud.targetDatabases;
    }

    this.report = pulumi.output({
      tables: this.run.tables,
      rows: this.run.rows,
      bytes: this.run.bytes,
      seconds: this.run.seconds,
      verified: this.run.verified,
      resumed: this.run.resumed,
      warnings: this.run.warnings,
      targetDatabases: this.run.targetDatabases,
    });
    this.registerOutputs({
      mode: this.mode,
      report: this.report,
      sourceAccountName: this.sourceAccountName,
      targetAccountName: this.targetAccountName,
      whitelistGroups: this.whitelistGroups,
      targetDatabases: this.targetDatabases,
      destroyNote: this.destroyNote,
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
    // ... and the runner on RDS when it is outside the instance's VPC.
    if (!c.runnerInTargetVpc && runnerCidrs.length > 0) {
      const g = new RdsWhitelistGroup(
        `${name}-target-whitelist`,
        {
          dbInstanceId: instanceId,
          groupName: c.targetWhitelistGroupName,
          securityIps: runnerCidrs,
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

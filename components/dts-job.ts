/**
 * The DTS side of engine dts, declared with @pulumi/alicloud:
 * - dts.MigrationInstance: pay-as-you-go, source PolarDB in the cluster's region, destination MySQL
 *   (RDS) in the instance's region. DTS bills a migration instance only while incremental migration
 *   runs, which this task never does; destroy releases it.
 * - dts.MigrationJob: schema + full data, no incremental sync; source endpoint type/engine PolarDB
 *   with the cluster ID, destination RDS / MySQL with the instance ID, the component's migration
 *   accounts, and the object list. @pulumi/alicloud does not mark the endpoint passwords secret:
 *   they are passed as secrets and listed in additionalSecretOutputs.
 * No `status` is set on the job: its provider would call StartDtsJob whenever the live status differs
 * (also on a Finished task); DtsMigrationWait starts a task that waits for a start, once.
 */
import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { DTS_INSTANCE_CLASSES } from "./config";

export type DtsInstanceClass = (typeof DTS_INSTANCE_CLASSES)[number];

export const DTS_PASSWORD_OUTPUTS = ["sourceEndpointPassword", "destinationEndpointPassword"];

export interface DtsJobArgs {
  clusterId: string;
  instanceId: string;
  sourceRegion: string;
  targetRegion: string;
  instanceClass: DtsInstanceClass;
  sourceUser: pulumi.Input<string>;
  sourcePassword: pulumi.Input<string>;
  targetUser: pulumi.Input<string>;
  targetPassword: pulumi.Input<string>;
  /** The object list as JSON text (see dts-db-list.ts). */
  dbList: pulumi.Input<string>;
  jobName: string;
}

export function declareDtsJob(
  name: string,
  args: DtsJobArgs,
  opts: { parent: pulumi.Resource; dependsOn: pulumi.Resource[] },
): { instance: alicloud.dts.MigrationInstance; job: alicloud.dts.MigrationJob } {
  const instance = new alicloud.dts.MigrationInstance(
    `${name}-dts-instance`,
    {
      paymentType: "PayAsYouGo",
      sourceEndpointEngineName: "PolarDB",
      sourceEndpointRegion: args.sourceRegion,
      destinationEndpointEngineName: "MySQL",
      destinationEndpointRegion: args.targetRegion,
      instanceClass: args.instanceClass,
    },
    { parent: opts.parent, dependsOn: opts.dependsOn },
  );
  const job = new alicloud.dts.MigrationJob(
    `${name}-dts-job`,
    {
      dtsInstanceId: instance.dtsInstanceId,
      dtsJobName: args.jobName,
      structureInitialization: true,
      dataInitialization: true,
      dataSynchronization: false,
      dbList: args.dbList,
      sourceEndpointInstanceType: "PolarDB",
      sourceEndpointEngineName: "PolarDB",
      sourceEndpointInstanceId: args.clusterId,
      sourceEndpointRegion: args.sourceRegion,
      sourceEndpointUserName: args.sourceUser,
      sourceEndpointPassword: pulumi.secret(args.sourcePassword),
      destinationEndpointInstanceType: "RDS",
      destinationEndpointEngineName: "MySQL",
      destinationEndpointInstanceId: args.instanceId,
      destinationEndpointRegion: args.targetRegion,
      destinationEndpointUserName: args.targetUser,
      destinationEndpointPassword: pulumi.secret(args.targetPassword),
    },
    { parent: opts.parent, dependsOn: opts.dependsOn, additionalSecretOutputs: DTS_PASSWORD_OUTPUTS },
  );
  return { instance, job };
}

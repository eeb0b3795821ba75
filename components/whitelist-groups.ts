/**
 * PolarDbWhitelistGroup and RdsWhitelistGroup: one named whitelist group on an existing POLARDB
 * cluster / RDS instance, owned through the OpenAPI (see whitelist/provider.ts). Other groups and the
 * cluster/instance itself are never touched.
 */
import * as pulumi from "@pulumi/pulumi";
import { POLARDB_WHITELIST, RDS_WHITELIST } from "./whitelist/api";
import { DtsCidrQuery, whitelistProvider } from "./whitelist/provider";

export type { DtsCidrQuery } from "./whitelist/provider";

export const DEFAULT_WHITELIST_GROUP = "dtsmigration";

interface GroupArgs {
  /** Default `dtsmigration`: lowercase letters and digits, 2-120 characters, a letter first. */
  groupName?: pulumi.Input<string>;
  /** IP addresses / CIDR blocks the group holds (at most 1,000 with the DTS list). */
  securityIps: pulumi.Input<pulumi.Input<string>[]>;
  /** Fetch the DTS CIDR blocks with the DTS OpenAPI WhiteIpList at deploy time and add them. */
  dtsCidrs?: pulumi.Input<DtsCidrQuery>;
  hidden?: pulumi.Input<boolean>;
  /** OpenAPI endpoint of the service (default the public one), e.g. a local stand-in in tests. */
  endpoint?: pulumi.Input<string>;
  /** DTS OpenAPI endpoint, for dtsCidrs. */
  dtsEndpoint?: pulumi.Input<string>;
}

export interface PolarDbWhitelistGroupArgs extends GroupArgs {
  dbClusterId: pulumi.Input<string>;
}

export interface RdsWhitelistGroupArgs extends GroupArgs {
  dbInstanceId: pulumi.Input<string>;
}

function groupProps(args: GroupArgs) {
  return {
    groupName: args.groupName ?? DEFAULT_WHITELIST_GROUP,
    securityIps: args.securityIps,
    dtsCidrs: args.dtsCidrs ?? null,
    hidden: args.hidden ?? false,
    endpoint: args.endpoint ?? null,
    dtsEndpoint: args.dtsEndpoint ?? null,
    appliedIps: undefined,
  };
}

const polarDbProvider = whitelistProvider(POLARDB_WHITELIST);
const rdsProvider = whitelistProvider(RDS_WHITELIST);

export class PolarDbWhitelistGroup extends pulumi.dynamic.Resource {
  declare readonly dbClusterId: pulumi.Output<string>;
  declare readonly groupName: pulumi.Output<string>;
  declare readonly securityIps: pulumi.Output<string[]>;
  /** The entries the group holds (with the DTS list fetched at deploy time, if asked for). */
  declare readonly appliedIps: pulumi.Output<string[]>;

  constructor(name: string, args: PolarDbWhitelistGroupArgs, opts?: pulumi.CustomResourceOptions) {
    super(polarDbProvider, name, { dbClusterId: args.dbClusterId, ...groupProps(args) }, opts, "polardb-to-rds", "PolarDbWhitelistGroup");
  }
}

export class RdsWhitelistGroup extends pulumi.dynamic.Resource {
  declare readonly dbInstanceId: pulumi.Output<string>;
  declare readonly groupName: pulumi.Output<string>;
  declare readonly securityIps: pulumi.Output<string[]>;
  declare readonly appliedIps: pulumi.Output<string[]>;

  constructor(name: string, args: RdsWhitelistGroupArgs, opts?: pulumi.CustomResourceOptions) {
    super(rdsProvider, name, { dbInstanceId: args.dbInstanceId, ...groupProps(args) }, opts, "polardb-to-rds", "RdsWhitelistGroup");
  }
}

/** The providers, for tests that drive them through the SDK's dynamic-provider host. */
export const providers = { polarDb: polarDbProvider, rds: rdsProvider };

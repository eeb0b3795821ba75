/**
 * The two whitelist APIs the group resources speak, as data: which OpenAPI product, which actions,
 * which parameter names, how to read a group list. Captured by value into serialized providers.
 *
 * POLARDB 2017-08-01: ModifyDBClusterAccessWhitelist (DBClusterId, DBClusterIPArrayName, SecurityIps,
 *   ModifyMode Cover|Append|Delete, DBClusterIPArrayAttribute hidden, WhiteListType IP) and
 *   DescribeDBClusterAccessWhitelist -> Items.DBClusterIPArray[] {DBClusterIPArrayName, DBClusterIPArrayAttribute, SecurityIps}.
 * RDS 2014-08-15: ModifySecurityIps (DBInstanceId, DBInstanceIPArrayName, SecurityIps, ModifyMode,
 *   DBInstanceIPArrayAttribute) and DescribeDBInstanceIPArrayList ->
 *   Items.DBInstanceIPArray[] {DBInstanceIPArrayName, DBInstanceIPArrayAttribute, SecurityIPList}.
 */
import { OpenApiProduct, POLARDB_API, RDS_API } from "../openapi";

export interface WhitelistGroupInfo {
  name: string;
  attribute: string;
  entries: string[];
}

export interface WhitelistApi {
  kind: "POLARDB" | "RDS";
  product: OpenApiProduct;
  /** The resource property holding the cluster / instance ID. */
  idInput: "dbClusterId" | "dbInstanceId";
  idParam: string;
  groupParam: string;
  attributeParam: string;
  modifyAction: string;
  describeAction: string;
  /** Fixed parameters of every modify call. */
  modifyExtras: Record<string, string>;
  listKey: string;
  nameKey: string;
  attributeKey: string;
  entriesKey: string;
}

export const POLARDB_WHITELIST: WhitelistApi = {
  kind: "POLARDB",
  product: POLARDB_API,
  idInput: "dbClusterId",
  idParam: "DBClusterId",
  groupParam: "DBClusterIPArrayName",
  attributeParam: "DBClusterIPArrayAttribute",
  modifyAction: "ModifyDBClusterAccessWhitelist",
  describeAction: "DescribeDBClusterAccessWhitelist",
  modifyExtras: { WhiteListType: "IP" },
  listKey: "DBClusterIPArray",
  nameKey: "DBClusterIPArrayName",
  attributeKey: "DBClusterIPArrayAttribute",
  entriesKey: "SecurityIps",
};

export const RDS_WHITELIST: WhitelistApi = {
  kind: "RDS",
  product: RDS_API,
  idInput: "dbInstanceId",
  idParam: "DBInstanceId",
  groupParam: "DBInstanceIPArrayName",
  attributeParam: "DBInstanceIPArrayAttribute",
  modifyAction: "ModifySecurityIps",
  describeAction: "DescribeDBInstanceIPArrayList",
  modifyExtras: {},
  listKey: "DBInstanceIPArray",
  nameKey: "DBInstanceIPArrayName",
  attributeKey: "DBInstanceIPArrayAttribute",
  entriesKey: "SecurityIPList",
};

/** The groups in a Describe response (tolerates Items as an array or as {<listKey>: [...]}). */
export function parseGroups(api: WhitelistApi, response: Record<string, unknown>): WhitelistGroupInfo[] {
  const items = response.Items as Record<string, unknown> | unknown[] | undefined;
  const list = Array.isArray(items) ? items : items && Array.isArray(items[api.listKey]) ? (items[api.listKey] as unknown[]) : [];
  return list.map((raw) => {
    const g = raw as Record<string, unknown>;
    const entries = String(g[api.entriesKey] ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    return { name: String(g[api.nameKey] ?? ""), attribute: String(g[api.attributeKey] ?? ""), entries };
  });
}

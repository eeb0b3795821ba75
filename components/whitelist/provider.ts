/**
 * The dynamic provider behind PolarDbWhitelistGroup and RdsWhitelistGroup: it owns exactly one
 * named whitelist group on an existing POLARDB cluster or RDS instance and never touches any other
 * group or the cluster/instance itself.
 *
 * create/update: ModifyMode=Cover of the group with the wanted entries; delete: ModifyMode=Delete of
 * the entries the group holds; read: Describe, so `pulumi refresh` sees drift. Changing the
 * cluster/instance or the group name replaces the resource; changing the entries updates it.
 *
 * Serialized with the SDK's closure serializer: only plain functions and data are captured,
 * packages are require()d inside the methods, credentials are read in the host (configure / env).
 */
import type * as pulumi from "@pulumi/pulumi";
import { DtsNetwork } from "../dts-cidrs";
import { AlicloudConfig, callOpenApi, DTS_API, OpenApiCredentials, readAlicloudConfig, resolveCredentials } from "../openapi";
import { mergeEntries, whitelistEntriesProblems, whitelistGroupNameProblem } from "../rules";
import { containsUnknown, UNKNOWN } from "../unknown";
import { parseGroups, WhitelistApi, WhitelistGroupInfo } from "./api";

/** Ask the DTS OpenAPI `WhiteIpList` for its CIDR blocks at deploy time. */
export interface DtsCidrQuery {
  /** The source database's region (`Region`). */
  region: string;
  /** The destination database's region (`DestinationRegion`): its list is the one a migration needs. */
  destinationRegion: string;
  network: DtsNetwork;
}

export interface WhitelistGroupInputs {
  /** POLARDB cluster ID (PolarDbWhitelistGroup). */
  dbClusterId?: string;
  /** RDS instance ID (RdsWhitelistGroup). */
  dbInstanceId?: string;
  groupName: string;
  /** Entries written as given (DTS CIDRs from the shipped table and the runner's addresses). */
  securityIps: string[];
  /** When set, the live DTS list is fetched at deploy time and added to securityIps. */
  dtsCidrs?: DtsCidrQuery | null;
  /** Mark the group `hidden` (not shown in the console, ignored by other Terraform/Pulumi owners). */
  hidden?: boolean;
  /** OpenAPI endpoint override (tests, private endpoints); not part of the resource's identity. */
  endpoint?: string | null;
  dtsEndpoint?: string | null;
}

export interface WhitelistGroupOutputs extends WhitelistGroupInputs {
  /** The entries the group holds, as last written or read. */
  appliedIps: string[];
}

export interface WhitelistProvider extends pulumi.dynamic.ResourceProvider<WhitelistGroupInputs, WhitelistGroupOutputs> {
  /** Set by configure() inside the host; undefined in the program (so nothing is serialized). */
  alicloud?: AlicloudConfig;
}

function idOf(api: WhitelistApi, s: WhitelistGroupInputs): string {
  return String(s[api.idInput] ?? "");
}

/** The inputs as stored: every field present, no `undefined` (the host cannot encode it). */
function normalized(api: WhitelistApi, s: WhitelistGroupInputs): WhitelistGroupInputs {
  return {
    [api.idInput]: idOf(api, s),
    groupName: s.groupName,
    securityIps: [...(s.securityIps ?? [])],
    dtsCidrs: s.dtsCidrs ?? null,
    hidden: !!s.hidden,
    endpoint: s.endpoint ?? null,
    dtsEndpoint: s.dtsEndpoint ?? null,
  };
}

function sameSet(a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

async function fetchDtsCidrs(q: DtsCidrQuery, endpoint: string | null | undefined, creds: OpenApiCredentials): Promise<string[]> {
  const resp = await callOpenApi(DTS_API, endpoint ?? undefined, creds, "WhiteIpList", {
    Type: q.network,
    Region: q.region,
    DestinationRegion: q.destinationRegion,
    RegionId: q.destinationRegion,
  });
  const list = String(resp.IpList ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) {
    throw new Error(`DTS WhiteIpList returned no CIDR blocks for ${q.region} -> ${q.destinationRegion} (${q.network})`);
  }
  return list;
}

/** The entries the group must hold: the live DTS list (if asked for) plus the given entries. */
async function wantedEntries(s: WhitelistGroupInputs, creds: OpenApiCredentials): Promise<string[]> {
  const dts = s.dtsCidrs ? await fetchDtsCidrs(s.dtsCidrs, s.dtsEndpoint, creds) : [];
  const entries = mergeEntries(dts, s.securityIps ?? []);
  const problems = whitelistEntriesProblems(entries);
  if (entries.length === 0) problems.push("the group would be empty: give at least one entry");
  if (problems.length > 0) throw new Error(`whitelist group "${s.groupName}": ${problems.join("; ")}`);
  return entries;
}

async function describeGroup(
  api: WhitelistApi,
  s: WhitelistGroupInputs,
  creds: OpenApiCredentials,
): Promise<WhitelistGroupInfo | undefined> {
  const resp = await callOpenApi(api.product, s.endpoint ?? undefined, creds, api.describeAction, { [api.idParam]: idOf(api, s) });
  return parseGroups(api, resp).find((g) => g.name === s.groupName);
}

async function modifyGroup(
  api: WhitelistApi,
  s: WhitelistGroupInputs,
  creds: OpenApiCredentials,
  mode: "Cover" | "Delete",
  entries: string[],
): Promise<void> {
  await callOpenApi(api.product, s.endpoint ?? undefined, creds, api.modifyAction, {
    [api.idParam]: idOf(api, s),
    [api.groupParam]: s.groupName,
    SecurityIps: entries.join(","),
    ModifyMode: mode,
    [api.attributeParam]: mode === "Cover" && s.hidden ? "hidden" : undefined,
    ...api.modifyExtras,
  });
}

export function whitelistProvider(api: WhitelistApi): WhitelistProvider {
  return {
    async configure(req) {
      this.alicloud = readAlicloudConfig(req.config);
    },

    async check(_olds, news) {
      const failures: pulumi.dynamic.CheckFailure[] = [];
      const id = news[api.idInput];
      if (id !== UNKNOWN && (typeof id !== "string" || id.length === 0)) {
        failures.push({ property: api.idInput, reason: `the ${api.kind} ${api.kind === "RDS" ? "instance" : "cluster"} ID is required` });
      }
      if (news.groupName !== UNKNOWN) {
        const problem = typeof news.groupName === "string" ? whitelistGroupNameProblem(news.groupName) : "groupName is required";
        if (problem) failures.push({ property: "groupName", reason: problem });
      }
      if (!containsUnknown(news.securityIps)) {
        const ips = Array.isArray(news.securityIps) ? news.securityIps : [];
        for (const problem of whitelistEntriesProblems(ips)) failures.push({ property: "securityIps", reason: problem });
        if (ips.length === 0 && !news.dtsCidrs) {
          failures.push({ property: "securityIps", reason: "the group would be empty: give at least one entry" });
        }
      }
      const q = news.dtsCidrs;
      if (q && !containsUnknown(q) && (!q.region || !q.destinationRegion || !["internet", "vpc"].includes(q.network))) {
        failures.push({ property: "dtsCidrs", reason: "needs region, destinationRegion and network (internet or vpc)" });
      }
      for (const key of ["endpoint", "dtsEndpoint"] as const) {
        const v = news[key];
        if (v && v !== UNKNOWN && !/^https?:\/\/[^\s/]+/.test(v)) {
          failures.push({ property: key, reason: `"${v}" is not an http(s) URL` });
        }
      }
      return { inputs: news, failures };
    },

    async diff(_id, olds, news) {
      const replaces: string[] = [];
      if (idOf(api, olds) !== idOf(api, news)) replaces.push(api.idInput);
      if (olds.groupName !== news.groupName) replaces.push("groupName");
      let changes = replaces.length > 0;
      if (containsUnknown(news.securityIps) || containsUnknown(news.dtsCidrs) || containsUnknown(news.hidden)) {
        changes = true;
      } else {
        const applied = olds.appliedIps ?? olds.securityIps ?? [];
        const dtsSame = JSON.stringify(olds.dtsCidrs ?? null) === JSON.stringify(news.dtsCidrs ?? null);
        // Drift (seen by refresh) counts too: the group must hold exactly what we write.
        const entriesOk = news.dtsCidrs
          ? (news.securityIps ?? []).every((e) => applied.includes(e))
          : sameSet(applied, news.securityIps ?? []);
        if (!sameSet(olds.securityIps ?? [], news.securityIps ?? []) || !dtsSame || !entriesOk || !!olds.hidden !== !!news.hidden) {
          changes = true;
        }
      }
      return { changes, replaces };
    },

    async create(inputs) {
      const creds = resolveCredentials(this.alicloud, process.env);
      const s = normalized(api, inputs);
      const entries = await wantedEntries(s, creds);
      const existing = await describeGroup(api, s, creds);
      if (existing && !sameSet(existing.entries, entries)) {
        throw new Error(
          `${api.kind} whitelist group "${s.groupName}" already exists on ${idOf(api, s)} with ${existing.entries.length} other ` +
            `entries; this program only owns groups it creates: choose another group name, or remove that group first`,
        );
      }
      await modifyGroup(api, s, creds, "Cover", entries);
      return { id: `${idOf(api, s)}/${s.groupName}`, outs: { ...s, appliedIps: entries } };
    },

    async read(id, props) {
      if (!props) return { id, props };
      const creds = resolveCredentials(this.alicloud, process.env);
      const s = normalized(api, props);
      const group = await describeGroup(api, s, creds);
      // An empty id tells the engine the group is gone (refresh drops it from the state).
      if (!group) return { id: "", props: { ...s, appliedIps: [] } };
      return { id, props: { ...s, hidden: group.attribute === "hidden", appliedIps: group.entries } };
    },

    async update(_id, _olds, news) {
      const creds = resolveCredentials(this.alicloud, process.env);
      const s = normalized(api, news);
      const entries = await wantedEntries(s, creds);
      await modifyGroup(api, s, creds, "Cover", entries);
      return { outs: { ...s, appliedIps: entries } };
    },

    async delete(_id, props) {
      const creds = resolveCredentials(this.alicloud, process.env);
      const s = normalized(api, props);
      // Delete what the group holds now (including entries added by hand), which removes the group.
      const group = await describeGroup(api, s, creds);
      if (!group) return;
      await modifyGroup(api, s, creds, "Delete", group.entries.length > 0 ? group.entries : props.appliedIps ?? s.securityIps);
    },
  };
}

/**
 * PolarDbWhitelistGroup / RdsWhitelistGroup providers as `pulumi up` runs them: serialized by the
 * SDK, run by the SDK's dynamic-provider host, driven over gRPC, against a local stand-in for the
 * Alibaba OpenAPI that checks every request's signature.
 */
import { dtsCidrsFor } from "../components/dts-cidrs";
import { mergeEntries } from "../components/rules";
import { providers } from "../components/whitelist-groups";
import { OpenApiStandin } from "./support/openapi-standin";
import { ProviderHost, Props, serializeProvider, UNKNOWN, urnOf } from "./support/provider-host";

const KEY_ID = "LTAIstandinkey";
const KEY_SECRET = "standin-Secret-9f3k";
const RUNNER = "203.0.113.7/32";
const POLAR_URN = urnOf("pulumi-nodejs:dynamic/polardb-to-rds:PolarDbWhitelistGroup", "migration-source-whitelist");
const RDS_URN = urnOf("pulumi-nodejs:dynamic/polardb-to-rds:RdsWhitelistGroup", "migration-target-whitelist");

let standin: OpenApiStandin;
let host: ProviderHost;
let polarText: string;
let rdsText: string;

beforeAll(async () => {
  standin = await OpenApiStandin.start({
    credentials: { [KEY_ID]: KEY_SECRET },
    dtsIpLists: { "cn-shanghai>cn-hangzhou>internet": ["198.51.100.0/24", "198.51.100.77"] },
  });
  host = await ProviderHost.start();
  await host.configure({ "alicloud:accessKey": KEY_ID, "alicloud:secretKey": KEY_SECRET, "alicloud:region": "cn-hangzhou" });
  polarText = await serializeProvider(providers.polarDb);
  rdsText = await serializeProvider(providers.rds);
});

afterAll(async () => {
  host?.close();
  await standin?.close();
});

function polarProps(overrides: Props = {}): Props {
  return {
    __provider: polarText,
    dbClusterId: "pc-bp1standin0001",
    groupName: "dtsmigration",
    securityIps: mergeEntries(dtsCidrsFor("cn-hangzhou", "internet"), [RUNNER]),
    dtsCidrs: null,
    hidden: false,
    endpoint: standin.url,
    dtsEndpoint: standin.url,
    ...overrides,
  };
}

describe("serialized whitelist providers", () => {
  test("carry no credentials and require pop-core at run time", () => {
    for (const text of [polarText, rdsText]) {
      expect(text).toContain('require("@alicloud/pop-core")');
      expect(text).not.toContain(KEY_SECRET);
      expect(text).not.toContain(KEY_ID);
    }
  });
});

describe("PolarDbWhitelistGroup over gRPC", () => {
  let id = "";
  let outs: Props = {};
  const cluster = "pc-bp1standin0001";

  test("check accepts a valid group and rejects bad names, entries and sizes, naming the property", async () => {
    const ok = await host.check(POLAR_URN, {}, polarProps());
    expect(ok.failures).toEqual([]);
    const bad = await host.check(POLAR_URN, {}, polarProps({ groupName: "dts_migration", securityIps: ["10.0.0.300"] }));
    expect(bad.failures.map((f) => f.property).sort()).toEqual(["groupName", "securityIps"]);
    expect(bad.failures.find((f) => f.property === "groupName")!.reason).toMatch(/lowercase letters and digits/);
    const reserved = await host.check(POLAR_URN, {}, polarProps({ groupName: "default" }));
    expect(reserved.failures[0].reason).toMatch(/must not own/);
    const many = Array.from({ length: 1001 }, (_, i) => `10.${Math.floor(i / 250)}.${i % 250}.1`);
    const tooMany = await host.check(POLAR_URN, {}, polarProps({ securityIps: many }));
    expect(tooMany.failures.map((f) => f.reason).join()).toMatch(/1001 entries exceed the whitelist limit of 1000/);
  });

  test("check during preview tolerates unknown values", async () => {
    const r = await host.check(POLAR_URN, {}, polarProps({ dbClusterId: UNKNOWN, securityIps: UNKNOWN }));
    expect(r.failures).toEqual([]);
  });

  test("create covers exactly the named group with the DTS CIDRs and the runner, signed", async () => {
    standin.requests.length = 0;
    const created = await host.create(POLAR_URN, polarProps());
    id = created.id;
    outs = created.outs;
    expect(id).toBe(`${cluster}/dtsmigration`);
    const [modify] = standin.calls("ModifyDBClusterAccessWhitelist");
    expect(modify.params).toMatchObject({
      DBClusterId: cluster,
      DBClusterIPArrayName: "dtsmigration",
      ModifyMode: "Cover",
      WhiteListType: "IP",
      Version: "2017-08-01",
      AccessKeyId: KEY_ID,
      SignatureMethod: "HMAC-SHA1",
    });
    expect(modify.params.SecurityIps.split(",")).toEqual([...dtsCidrsFor("cn-hangzhou", "internet"), RUNNER]);
    expect(modify.params.DBClusterIPArrayAttribute).toBeUndefined();
    expect(modify.method).toBe("POST");
    expect(standin.requests.every((r) => r.signed && r.signatureValid)).toBe(true);
    expect(standin.requests.some((r) => JSON.stringify(r.params).includes(KEY_SECRET))).toBe(false);
    const groups = standin.groups("polardb", cluster);
    expect(groups.get("dtsmigration")!.entries).toContain(RUNNER);
    expect(groups.get("default")!.entries).toEqual(["127.0.0.1"]);
    expect(outs.appliedIps).toEqual(modify.params.SecurityIps.split(","));
    expect(outs.__provider).toBe(polarText);
  });

  test("diff: unchanged is no change; another group name or cluster replaces; other entries update", async () => {
    expect(await host.diff(POLAR_URN, id, outs, polarProps())).toMatchObject({ changes: "none", replaces: [] });
    expect(await host.diff(POLAR_URN, id, outs, polarProps({ groupName: "dtsmigration2" }))).toMatchObject({ changes: "some", replaces: ["groupName"] });
    expect(await host.diff(POLAR_URN, id, outs, polarProps({ dbClusterId: "pc-other" }))).toMatchObject({ changes: "some", replaces: ["dbClusterId"] });
    expect(await host.diff(POLAR_URN, id, outs, polarProps({ securityIps: [RUNNER] }))).toMatchObject({ changes: "some", replaces: [] });
    expect(await host.diff(POLAR_URN, id, outs, polarProps({ securityIps: UNKNOWN }))).toMatchObject({ changes: "some", replaces: [] });
    expect(await host.diff(POLAR_URN, id, outs, polarProps({ endpoint: "https://polardb.aliyuncs.com" }))).toMatchObject({ changes: "none" });
  });

  test("update covers the group with the new entries and keeps full outputs", async () => {
    standin.requests.length = 0;
    const news = polarProps({ securityIps: ["100.104.0.0/16", RUNNER] });
    const { outs: updated } = await host.update(POLAR_URN, id, outs, news);
    const [modify] = standin.calls("ModifyDBClusterAccessWhitelist");
    expect(modify.params).toMatchObject({ ModifyMode: "Cover", DBClusterIPArrayName: "dtsmigration", SecurityIps: `100.104.0.0/16,${RUNNER}` });
    expect(updated).toMatchObject({ dbClusterId: cluster, groupName: "dtsmigration", appliedIps: ["100.104.0.0/16", RUNNER] });
    outs = updated;
  });

  test("read (refresh) sees drift, and the next diff wants to fix it", async () => {
    standin.groups("polardb", cluster).get("dtsmigration")!.entries.push("192.0.2.99");
    const read = await host.read(POLAR_URN, id, outs);
    expect(read.id).toBe(id);
    expect(read.props.appliedIps).toEqual(["100.104.0.0/16", RUNNER, "192.0.2.99"]);
    const diff = await host.diff(POLAR_URN, id, read.props, polarProps({ securityIps: ["100.104.0.0/16", RUNNER] }));
    expect(diff).toMatchObject({ changes: "some", replaces: [] });
    outs = read.props;
  });

  test("delete removes the group's entries (ModifyMode=Delete) and no other group", async () => {
    standin.requests.length = 0;
    await host.delete(POLAR_URN, id, outs);
    const [modify] = standin.calls("ModifyDBClusterAccessWhitelist");
    expect(modify.params).toMatchObject({ ModifyMode: "Delete", DBClusterIPArrayName: "dtsmigration", SecurityIps: `100.104.0.0/16,${RUNNER},192.0.2.99` });
    expect(standin.groups("polardb", cluster).has("dtsmigration")).toBe(false);
    expect(standin.groups("polardb", cluster).get("default")!.entries).toEqual(["127.0.0.1"]);
    const gone = await host.read(POLAR_URN, id, outs);
    expect(gone.id).toBe("");
  });

  test("create refuses to take over a group that already holds other entries", async () => {
    standin.groups("polardb", "pc-bp1taken").set("dtsmigration", { entries: ["192.0.2.1"], attribute: "" });
    await expect(host.create(POLAR_URN, polarProps({ dbClusterId: "pc-bp1taken" }))).rejects.toThrow(
      /already exists on pc-bp1taken with 1 other entries/,
    );
    expect(standin.groups("polardb", "pc-bp1taken").get("dtsmigration")!.entries).toEqual(["192.0.2.1"]);
  });

  test("dtsCidrSource api: WhiteIpList is called at deploy time for the destination region", async () => {
    standin.requests.length = 0;
    const props = polarProps({
      dbClusterId: "pc-bp1api",
      securityIps: [RUNNER],
      dtsCidrs: { region: "cn-shanghai", destinationRegion: "cn-hangzhou", network: "internet" },
      hidden: true,
    });
    expect((await host.check(POLAR_URN, {}, props)).failures).toEqual([]);
    const { outs: created } = await host.create(POLAR_URN, props);
    const [list] = standin.calls("WhiteIpList");
    expect(list.params).toMatchObject({ Region: "cn-shanghai", DestinationRegion: "cn-hangzhou", Type: "internet", Version: "2020-01-01" });
    expect(list.signatureValid).toBe(true);
    const [modify] = standin.calls("ModifyDBClusterAccessWhitelist");
    expect(modify.params.SecurityIps).toBe(`198.51.100.0/24,198.51.100.77,${RUNNER}`);
    expect(modify.params.DBClusterIPArrayAttribute).toBe("hidden");
    expect(created.appliedIps).toEqual(["198.51.100.0/24", "198.51.100.77", RUNNER]);
  });

  test("an OpenAPI error names product, action, code and request id, and no credential", async () => {
    standin.failNext("ModifyDBClusterAccessWhitelist", "InvalidDBClusterId.NotFound", "The DBClusterId provided does not exist in our records.");
    const err = await host.create(POLAR_URN, polarProps({ dbClusterId: "pc-bp1missing" })).catch((e: Error) => e);
    expect(String(err)).toMatch(/PolarDB ModifyDBClusterAccessWhitelist failed: InvalidDBClusterId.NotFound: The DBClusterId provided does not exist.*RequestId standin-/);
    expect(String(err)).not.toContain(KEY_SECRET);
  });
});

describe("RdsWhitelistGroup over gRPC", () => {
  test("create / delete one named group for the runner with ModifySecurityIps", async () => {
    const instance = "rm-bp1standin0001";
    const props: Props = {
      __provider: rdsText,
      dbInstanceId: instance,
      groupName: "dtsmigration",
      securityIps: [RUNNER],
      dtsCidrs: null,
      hidden: false,
      endpoint: standin.url,
      dtsEndpoint: null,
    };
    expect((await host.check(RDS_URN, {}, props)).failures).toEqual([]);
    standin.requests.length = 0;
    const { id, outs } = await host.create(RDS_URN, props);
    expect(id).toBe(`${instance}/dtsmigration`);
    const [modify] = standin.calls("ModifySecurityIps");
    expect(modify.params).toMatchObject({
      DBInstanceId: instance,
      DBInstanceIPArrayName: "dtsmigration",
      SecurityIps: RUNNER,
      ModifyMode: "Cover",
      Version: "2014-08-15",
    });
    expect(modify.signatureValid).toBe(true);
    expect(await host.diff(RDS_URN, id, outs, props)).toMatchObject({ changes: "none" });
    expect(await host.diff(RDS_URN, id, outs, { ...props, dbInstanceId: "rm-other" })).toMatchObject({ replaces: ["dbInstanceId"] });
    await host.delete(RDS_URN, id, outs);
    expect(standin.calls("ModifySecurityIps")[1].params).toMatchObject({ ModifyMode: "Delete", SecurityIps: RUNNER });
    expect(standin.groups("rds", instance).has("dtsmigration")).toBe(false);
    expect(standin.groups("rds", instance).has("default")).toBe(true);
  });
});

describe("credentials", () => {
  test("come from ALICLOUD_* environment variables when the config has none, with the STS token", async () => {
    const envHost = await ProviderHost.start({
      env: { ALICLOUD_ACCESS_KEY: KEY_ID, ALICLOUD_SECRET_KEY: KEY_SECRET, ALICLOUD_SECURITY_TOKEN: "sts-token-1" },
    });
    try {
      await envHost.configure({});
      standin.requests.length = 0;
      await envHost.create(POLAR_URN, polarProps({ dbClusterId: "pc-bp1env" }));
      expect(standin.requests.length).toBeGreaterThan(0);
      expect(standin.requests.every((r) => r.signatureValid && r.params.SecurityToken === "sts-token-1")).toBe(true);
    } finally {
      envHost.close();
    }
  });

  test("missing credentials fail with the names of the variables and config keys to set", async () => {
    const bare = await ProviderHost.start({
      env: { ALICLOUD_ACCESS_KEY: undefined, ALICLOUD_SECRET_KEY: undefined, ALIBABA_CLOUD_ACCESS_KEY_ID: undefined, ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined },
    });
    try {
      await bare.configure({});
      await expect(bare.create(POLAR_URN, polarProps({ dbClusterId: "pc-bp1nokey" }))).rejects.toThrow(
        /set ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY.*alicloud:accessKey/,
      );
    } finally {
      bare.close();
    }
  });

  test("a wrong secret is rejected by the stand-in's signature check", async () => {
    const wrong = await ProviderHost.start();
    try {
      await wrong.configure({ "alicloud:accessKey": KEY_ID, "alicloud:secretKey": "not-the-secret" });
      await expect(wrong.create(POLAR_URN, polarProps({ dbClusterId: "pc-bp1wrong" }))).rejects.toThrow(/SignatureDoesNotMatch/);
    } finally {
      wrong.close();
    }
  });
});

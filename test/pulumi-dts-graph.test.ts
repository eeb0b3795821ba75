/**
 * engine "dts" under pulumi.runtime.setMocks: the DTS instance and task with their endpoint types,
 * engines and regions, the object list (dbList, compared as parsed JSON) for selections with renames
 * and globs, the order (whitelists, accounts and databases -> precheck -> DTS -> wait/verify),
 * secrets, the stack outputs, and the config errors that name their key.
 */
import * as pulumi from "@pulumi/pulumi";
import { dtsCidrsFor } from "../components/dts-cidrs";
import { planDbList, staticDbList } from "../components/dts-db-list";
import { buildProgram } from "../components/program";
import { isSecret, MockGraph, plainStrings, value } from "./support/pulumi-mocks";

const RUNNER = "203.0.113.7/32";
const SOURCE_PW = "Src-Passw0rd-123";
const TARGET_PW = "Tgt-Passw0rd-456";
const PRECHECK = "pulumi-nodejs:dynamic/polardb-to-rds:MigrationPrecheck";
const WAIT = "pulumi-nodejs:dynamic/polardb-to-rds:DtsMigrationWait";

const DTS: Record<string, string> = {
  "alicloud:region": "cn-hangzhou",
  engine: "dts",
  sourceClusterId: "pc-bp1source",
  sourceRegion: "cn-shanghai",
  sourceHost: "pc-bp1source.mysql.polardb.rds.aliyuncs.com",
  targetInstanceId: "rm-bp1target",
  targetHost: "rm-bp1target.mysql.rds.aliyuncs.com",
  include: JSON.stringify(["shop", "crm.customers", "crm.orders"]),
  rename: JSON.stringify(["crm=crm_new", "crm.orders=crm_new.orders_2024"]),
  runnerCidrs: JSON.stringify([RUNNER]),
};

/** The outputs the mocked dynamic resources report, as their providers would after `up`. */
const STATES = {
  [PRECHECK]: () => ({
    tables: [
      { sourceDb: "shop", sourceTable: "orders_2023", targetDb: "shop_archive", targetTable: "orders_2023" },
      { sourceDb: "shop", sourceTable: "orders_2024", targetDb: "shop_archive", targetTable: "orders_2024" },
    ],
    targetDatabases: ["shop_archive"],
    sourceBytes: 4096,
    warnings: ["primary keys: none missing"],
  }),
  [WAIT]: () => ({
    status: "Finished",
    verified: true,
    rows: 12,
    waitedSeconds: 300,
    verification: [{ source: "shop.orders", target: "shop.orders", status: "verified", sourceRows: 12, targetRows: 12, mismatches: [] }],
  }),
  "alicloud:dts/migrationInstance:MigrationInstance": () => ({ dtsInstanceId: "dtsbp1instance" }),
};

const g = new MockGraph();

describe("engine dts: resource graph", () => {
  test("declares precheck, DTS instance, DTS task and wait instead of the MigrationRun", async () => {
    g.setup(DTS, [], false, STATES);
    const { outputs } = await g.build();
    expect(g.registered.map((r) => `${r.type}::${r.name}`).sort()).toEqual(
      [
        "alicloud:dts/migrationInstance:MigrationInstance::migration-dts-instance",
        "alicloud:dts/migrationJob:MigrationJob::migration-dts-job",
        "alicloud:polardb/account:Account::migration-source-account",
        "alicloud:polardb/accountPrivilege:AccountPrivilege::migration-source-privilege",
        "alicloud:rds/accountPrivilege:AccountPrivilege::migration-target-privilege",
        "alicloud:rds/database:Database::migration-database-crm_new",
        "alicloud:rds/database:Database::migration-database-shop",
        "alicloud:rds/rdsAccount:RdsAccount::migration-target-account",
        "polardb-to-rds:index:PolarDbToRdsMigration::migration",
        `${PRECHECK}::migration-precheck`,
        `${WAIT}::migration-dts-wait`,
        "pulumi-nodejs:dynamic/polardb-to-rds:PolarDbWhitelistGroup::migration-source-whitelist",
        "pulumi-nodejs:dynamic/polardb-to-rds:RdsWhitelistGroup::migration-target-whitelist",
        "random:index/randomPassword:RandomPassword::migration-source-password",
        "random:index/randomPassword:RandomPassword::migration-target-password",
      ].sort(),
    );
    for (const r of g.registered.filter((x) => x.name !== "migration")) expect([r.name, r.parent]).toEqual([r.name, "migration"]);
    expect(outputs).toMatchObject({ mode: "cloud", engine: "dts" });
  });

  test("the DTS instance: pay-as-you-go, PolarDB in the cluster's region, MySQL in the RDS region", async () => {
    g.setup({ ...DTS, dtsInstanceClass: "large" }, [], false, STATES);
    await g.build();
    expect(g.byName("migration-dts-instance").inputs).toEqual({
      paymentType: "PayAsYouGo",
      sourceEndpointEngineName: "PolarDB",
      sourceEndpointRegion: "cn-shanghai",
      destinationEndpointEngineName: "MySQL",
      destinationEndpointRegion: "cn-hangzhou",
      instanceClass: "large",
    });
    g.setup({ ...DTS, sourceRegion: "" }, [], false, STATES);
    await g.build();
    expect(g.byName("migration-dts-instance").inputs).toMatchObject({ sourceEndpointRegion: "cn-hangzhou", instanceClass: "small" });
  });

  test("the DTS task: schema + full data, no incremental; PolarDB -> RDS/MySQL with the migration accounts", async () => {
    g.setup(DTS, [], false, STATES);
    await g.build();
    const job = g.byName("migration-dts-job").inputs;
    expect(job).toMatchObject({
      dtsInstanceId: "dtsbp1instance",
      structureInitialization: true,
      dataInitialization: true,
      dataSynchronization: false,
      sourceEndpointInstanceType: "PolarDB",
      sourceEndpointEngineName: "PolarDB",
      sourceEndpointInstanceId: "pc-bp1source",
      sourceEndpointRegion: "cn-shanghai",
      sourceEndpointUserName: "p2rreader",
      destinationEndpointInstanceType: "RDS",
      destinationEndpointEngineName: "MySQL",
      destinationEndpointInstanceId: "rm-bp1target",
      destinationEndpointRegion: "cn-hangzhou",
      destinationEndpointUserName: "p2rwriter",
    });
    expect(job.status).toBeUndefined();
    expect(JSON.parse(String(job.dbList))).toEqual({
      shop: { name: "shop", all: true },
      crm: { name: "crm_new", all: false, Table: { customers: { name: "customers", all: true }, orders: { name: "orders_2024", all: true } } },
    });
  });

  test("globs in table names: the object list comes from the precheck's plan of the source catalog", async () => {
    g.setup({ ...DTS, include: JSON.stringify(["shop.orders_*"]), rename: JSON.stringify(["shop=shop_archive"]), exclude: JSON.stringify(["shop.orders_tmp"]) }, [], false, STATES);
    await g.build();
    expect(JSON.parse(String(g.byName("migration-dts-job").inputs.dbList))).toEqual({
      shop: { name: "shop_archive", all: false, Table: { orders_2023: { name: "orders_2023", all: true }, orders_2024: { name: "orders_2024", all: true } } },
    });
    expect(g.byName("migration-precheck").inputs).toMatchObject({ include: ["shop.orders_*"], exclude: ["shop.orders_tmp"], rename: ["shop=shop_archive"] });
  });

  test("order: whitelists, accounts and databases -> precheck -> DTS instance and task -> wait and verify", async () => {
    g.setup(DTS, [], false, STATES);
    await g.build();
    const setup = [
      "migration-database-crm_new",
      "migration-database-shop",
      "migration-source-account",
      "migration-source-privilege",
      "migration-source-whitelist",
      "migration-target-account",
      "migration-target-privilege",
      "migration-target-whitelist",
    ];
    expect(g.byName("migration-precheck").dependsOn.sort()).toEqual(setup);
    expect(g.byName("migration-dts-instance").dependsOn.sort()).toEqual([...setup, "migration-precheck"].sort());
    expect(g.byName("migration-dts-job").dependsOn.sort()).toEqual([...setup, "migration-precheck"].sort());
    expect(g.byName("migration-dts-wait").dependsOn.sort()).toEqual(["migration-dts-job", "migration-precheck"]);
    expect(g.byName("migration-dts-wait").inputs).toMatchObject({
      dtsJobId: "migration-dts-job-id",
      dtsInstanceId: "dtsbp1instance",
      region: "cn-hangzhou",
      timeoutMinutes: 1440,
      include: ["shop", "crm.customers", "crm.orders"],
      rename: ["crm=crm_new", "crm.orders=crm_new.orders_2024"],
      source: { host: "pc-bp1source.mysql.polardb.rds.aliyuncs.com", user: "p2rreader" },
      target: { host: "rm-bp1target.mysql.rds.aliyuncs.com", user: "p2rwriter" },
    });
    expect(g.byName("migration-precheck").inputs).toMatchObject({ onExisting: "fail", targetCapacity: 100 * 1024 ** 3 });
  });

  test("both whitelist groups hold the DTS CIDRs of the RDS region and the runner", async () => {
    g.setup(DTS, [], false, STATES);
    await g.build();
    const dts = dtsCidrsFor("cn-hangzhou", "internet");
    expect(g.byName("migration-source-whitelist").inputs.securityIps).toEqual([...dts, RUNNER]);
    expect(g.byName("migration-target-whitelist").inputs).toMatchObject({ dbInstanceId: "rm-bp1target", securityIps: [...dts, RUNNER], dtsCidrs: null });
    g.setup({ ...DTS, dtsCidrSource: "api", runnerInTargetVpc: "true" }, [], false, STATES);
    await g.build();
    expect(g.byName("migration-target-whitelist").inputs).toMatchObject({
      securityIps: [],
      dtsCidrs: { region: "cn-shanghai", destinationRegion: "cn-hangzhou", network: "internet" },
    });
  });

  test("passwords are secrets everywhere, also on the DTS task (additionalSecretOutputs)", async () => {
    g.setup({ ...DTS, sourcePassword: SOURCE_PW, targetPassword: TARGET_PW }, ["sourcePassword", "targetPassword"], false, STATES);
    await g.build();
    const job = g.byName("migration-dts-job");
    expect(isSecret(job.inputs.sourceEndpointPassword) && job.inputs.sourceEndpointPassword.value).toBe(SOURCE_PW);
    expect(isSecret(job.inputs.destinationEndpointPassword) && job.inputs.destinationEndpointPassword.value).toBe(TARGET_PW);
    expect(job.additionalSecretOutputs).toEqual(["sourceEndpointPassword", "destinationEndpointPassword"]);
    for (const name of ["migration-precheck", "migration-dts-wait"]) {
      const r = g.byName(name).inputs;
      expect(isSecret(r.sourcePassword) && r.sourcePassword.value).toBe(SOURCE_PW);
      expect(isSecret(r.targetPassword) && r.targetPassword.value).toBe(TARGET_PW);
      expect(String(r.__provider)).toMatch(/^exports.handler = __f0;/);
    }
    for (const r of g.registered) {
      for (const [path, s] of plainStrings(r.inputs)) {
        expect([r.name, path, s.includes(SOURCE_PW) || s.includes(TARGET_PW)]).toEqual([r.name, path, false]);
      }
    }
  });

  test("stack outputs: the DTS task id, its status and the verification report", async () => {
    g.setup(DTS, [], false, STATES);
    const { outputs, migration } = await g.build();
    expect(await value(outputs.dtsJobId)).toBe("migration-dts-job-id");
    expect(await value(outputs.dtsStatus)).toBe("Finished");
    expect(await value(outputs.verification)).toEqual([expect.objectContaining({ target: "shop.orders", status: "verified", targetRows: 12 })]);
    expect(await value(outputs.report)).toMatchObject({ tables: 1, rows: 12, bytes: 4096, seconds: 300, verified: true, resumed: false });
    expect(() => migration.run).toThrow(/engine dts declares no MigrationRun/);
  });

  test("switching engine is the only change: the accounts, databases and groups stay the same", async () => {
    g.setup({ ...DTS, engine: "direct" }, [], false, STATES);
    await g.build();
    const direct = g.registered.filter((r) => !r.type.includes("Whitelist") && r.type !== "polardb-to-rds:index:PolarDbToRdsMigration");
    const shape = (rs: typeof direct) => rs.filter((r) => !/MigrationRun|Precheck|DtsMigrationWait|alicloud:dts/.test(r.type)).map((r) => [r.name, r.inputs]);
    g.setup(DTS, [], false, STATES);
    await g.build();
    const dts = g.registered.filter((r) => !r.type.includes("Whitelist") && r.type !== "polardb-to-rds:index:PolarDbToRdsMigration");
    expect(shape(dts)).toEqual(shape(direct));
    expect(direct.some((r) => r.type.endsWith(":MigrationRun"))).toBe(true);
    expect(direct.some((r) => r.type.startsWith("alicloud:dts/"))).toBe(false);
  });
});

describe("engine dts: preview", () => {
  test("declares the same graph while passwords, the task id and the plan are not known yet", async () => {
    g.setup({ ...DTS, include: JSON.stringify(["shop.orders_*"]) }, [], true);
    const program = buildProgram({ transformations: [g.recorder] });
    await value(program.migration.dts!.wait.urn);
    await new Promise((r) => setTimeout(r, 50));
    expect(g.registered.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).map((r) => r.name).sort()).toEqual([
      "migration-dts-wait",
      "migration-precheck",
      "migration-source-whitelist",
      "migration-target-whitelist",
    ]);
    expect(g.has("migration-dts-job")).toBe(true);
    // computed at deploy time from the precheck plan: unknown in a preview
    expect(g.byName("migration-dts-job").inputs.dbList).toEqual({ __pulumiUnknown: true });
  });
});

describe("engine dts: stack config errors name the key and the fix", () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      "local mode",
      { engine: "dts", sourceHost: "h1", sourceUser: "u", sourcePassword: "p", targetHost: "h2", targetUser: "u", targetPassword: "p", include: "shop" },
      /polardb-to-rds:engine: DTS migrates between Alibaba Cloud instances: set sourceClusterId and targetInstanceId/,
    ],
    ["onExisting other than fail", { ...DTS, onExisting: "drop" }, /polardb-to-rds:onExisting: engine dts stops at its own precheck.*only "fail"/],
    ["events with dts", { ...DTS, withEvents: "true" }, /polardb-to-rds:withEvents: DTS does not migrate events/],
    ["definer keep with dts", { ...DTS, definer: "keep" }, /polardb-to-rds:definer: DTS applies its own DEFINER rule/],
    [
      "a table renamed into another database",
      { ...DTS, rename: JSON.stringify(["crm=crm_new", "crm.orders=shop.orders_crm"]) },
      /polardb-to-rds:rename\[1\]: "crm.orders=shop.orders_crm" moves a table to database shop.*crm.orders=crm_new.orders_crm, or use engine direct/,
    ],
    ["unknown instance class", { ...DTS, dtsInstanceClass: "huge" }, /polardb-to-rds:dtsInstanceClass: /],
    ["timeout below a minute", { ...DTS, dtsTimeoutMinutes: "0" }, /polardb-to-rds:dtsTimeoutMinutes: must be at least 1/],
    ["unknown engine", { ...DTS, engine: "mydumper" }, /polardb-to-rds:engine: /],
    ["no region", { ...DTS, "alicloud:region": "", dtsCidrSource: "none" }, /polardb-to-rds:targetRegion: engine dts creates the DTS instance in the RDS region/],
  ];
  test.each(cases)("%s", (_label, config, message) => {
    g.setup(config, ["sourcePassword", "targetPassword"]);
    let err: unknown;
    try {
      buildProgram();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(pulumi.RunError);
    expect(String((err as Error).message)).toMatch(message);
  });
});

describe("dbList builders", () => {
  test("static: whole databases as all, named tables with renames; undefined when the catalog is needed", () => {
    expect(staticDbList({ include: ["shop"], rename: ["shop=shop2"] })).toEqual({ shop: { name: "shop2", all: true } });
    expect(staticDbList({ include: ["shop.a", "shop.b"], rename: ["shop.b=shop.b2"] })).toEqual({
      shop: { name: "shop", all: false, Table: { a: { name: "a", all: true }, b: { name: "b2", all: true } } },
    });
    expect(staticDbList({ include: ["shop", "crm"], exclude: ["crm"] })).toEqual({ shop: { name: "shop", all: true } });
    expect(staticDbList({ include: ["shop.orders_*"] })).toBeUndefined();
    expect(staticDbList({ include: ["shop"], exclude: ["shop.tmp"] })).toBeUndefined();
    expect(staticDbList({ include: ["shop"], rename: ["shop.a=shop.b"] })).toBeUndefined();
    expect(staticDbList({ include: ["shop", "crm.a"], exclude: ["*.tmp_*"] })).toBeUndefined();
  });

  test("from the plan: untouched whole databases stay all, others list the planned tables", () => {
    const plan = [
      { sourceDb: "shop", sourceTable: "a", targetDb: "shop", targetTable: "a" },
      { sourceDb: "crm", sourceTable: "x", targetDb: "crm2", targetTable: "x" },
      { sourceDb: "crm", sourceTable: "y", targetDb: "crm2", targetTable: "y2" },
    ];
    expect(planDbList({ include: ["shop", "crm"], exclude: ["crm.z*"], rename: ["crm=crm2", "crm.y=crm2.y2"] }, plan)).toEqual({
      shop: { name: "shop", all: true },
      crm: { name: "crm2", all: false, Table: { x: { name: "x", all: true }, y: { name: "y2", all: true } } },
    });
    expect(() => planDbList({ include: ["crm.none*"] }, [])).toThrow(/matches no table/);
  });
});

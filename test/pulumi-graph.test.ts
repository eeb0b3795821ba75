/**
 * The resource graph the program declares, under pulumi.runtime.setMocks: which resources, their
 * type tokens, parents, dependencies, privileges, whitelist entries, retainOnDelete, and that
 * passwords only ever appear as secrets. Dynamic providers are really serialized here, so one that
 * cannot be serialized fails this test.
 */
import * as pulumi from "@pulumi/pulumi";
import { buildProgram } from "../components/program";
import { GENERATED, isSecret, MockGraph, plainStrings, value } from "./support/pulumi-mocks";
import { dtsCidrsFor } from "../components/dts-cidrs";
import { passwordProblem } from "../components/rules";

const SOURCE_PW = "Src-Passw0rd-123";
const TARGET_PW = "Tgt-Passw0rd-456";
const RUNNER = "203.0.113.7/32";

const g = new MockGraph();
const setup = (config: Record<string, string>, secretKeys: string[] = [], preview = false) => g.setup(config, secretKeys, preview);
const build = () => g.build();
const byName = (name: string) => g.byName(name);

const CLOUD: Record<string, string> = {
  "alicloud:region": "cn-hangzhou",
  sourceClusterId: "pc-bp1source",
  sourceHost: "pc-bp1source.mysql.polardb.rds.aliyuncs.com",
  targetInstanceId: "rm-bp1target",
  targetHost: "rm-bp1target.mysql.rds.aliyuncs.com",
  include: JSON.stringify(["shop", "crm.customers"]),
  rename: JSON.stringify(["crm=crm_new"]),
  runnerCidrs: JSON.stringify([RUNNER]),
};

describe("cloud mode", () => {
  test("declares the whitelist groups, accounts, privileges, databases and the run, in order", async () => {
    setup(CLOUD);
    const { outputs } = await build();
    const types = g.registered.map((r) => `${r.type}::${r.name}`).sort();
    expect(types).toEqual(
      [
        "alicloud:polardb/account:Account::migration-source-account",
        "alicloud:polardb/accountPrivilege:AccountPrivilege::migration-source-privilege",
        "alicloud:rds/accountPrivilege:AccountPrivilege::migration-target-privilege",
        "alicloud:rds/database:Database::migration-database-crm_new",
        "alicloud:rds/database:Database::migration-database-shop",
        "alicloud:rds/rdsAccount:RdsAccount::migration-target-account",
        "polardb-to-rds:index:PolarDbToRdsMigration::migration",
        "pulumi-nodejs:dynamic/polardb-to-rds:MigrationRun::migration-run",
        "pulumi-nodejs:dynamic/polardb-to-rds:PolarDbWhitelistGroup::migration-source-whitelist",
        "pulumi-nodejs:dynamic/polardb-to-rds:RdsWhitelistGroup::migration-target-whitelist",
        "random:index/randomPassword:RandomPassword::migration-source-password",
        "random:index/randomPassword:RandomPassword::migration-target-password",
      ].sort(),
    );
    for (const r of g.registered.filter((x) => x.name !== "migration")) expect([r.name, r.parent]).toEqual([r.name, "migration"]);

    const run = byName("migration-run");
    expect(run.dependsOn.sort()).toEqual(
      [
        "migration-database-crm_new",
        "migration-database-shop",
        "migration-source-account",
        "migration-source-privilege",
        "migration-source-whitelist",
        "migration-target-account",
        "migration-target-privilege",
        "migration-target-whitelist",
      ].sort(),
    );
    expect(byName("migration-target-privilege").dependsOn.sort()).toEqual(["migration-database-crm_new", "migration-database-shop"]);

    expect(byName("migration-source-account").inputs).toMatchObject({ dbClusterId: "pc-bp1source", accountName: "p2rreader", accountType: "Normal" });
    expect(String(byName("migration-source-account").inputs.accountDescription)).toMatch(/read-only account for migrating shop, crm/);
    expect(byName("migration-source-privilege").inputs).toMatchObject({
      dbClusterId: "pc-bp1source",
      accountName: "p2rreader",
      accountPrivilege: "ReadOnly",
      dbNames: ["shop", "crm"],
    });
    expect(byName("migration-target-account").inputs).toMatchObject({ dbInstanceId: "rm-bp1target", accountName: "p2rwriter", accountType: "Normal" });
    expect(byName("migration-target-privilege").inputs).toMatchObject({
      instanceId: "rm-bp1target",
      accountName: "p2rwriter",
      privilege: "ReadWrite",
      dbNames: ["shop", "crm_new"],
    });
    for (const db of ["shop", "crm_new"]) {
      const r = byName(`migration-database-${db}`);
      expect(r.retainOnDelete).toBe(true);
      expect(r.inputs).toMatchObject({ instanceId: "rm-bp1target", dataBaseName: db });
    }
    expect(byName("migration-database-crm_new").inputs.characterSet).toBe("latin1");
    expect(byName("migration-database-shop").inputs.characterSet).toBe("utf8mb4");

    const polarGroup = byName("migration-source-whitelist").inputs;
    expect(polarGroup).toMatchObject({ dbClusterId: "pc-bp1source", groupName: "dtsmigration", dtsCidrs: null, hidden: false });
    expect(polarGroup.securityIps).toEqual([...dtsCidrsFor("cn-hangzhou", "internet"), RUNNER]);
    expect(byName("migration-target-whitelist").inputs).toMatchObject({ dbInstanceId: "rm-bp1target", groupName: "dtsmigration", securityIps: [RUNNER] });

    expect(run.inputs).toMatchObject({
      include: ["shop", "crm.customers"],
      rename: ["crm=crm_new"],
      onExisting: "fail",
      targetCapacity: 100 * 1024 ** 3,
      source: { host: "pc-bp1source.mysql.polardb.rds.aliyuncs.com", port: 3306, user: "p2rreader", ssl: "preferred" },
      target: { host: "rm-bp1target.mysql.rds.aliyuncs.com", port: 3306, user: "p2rwriter" },
    });
    expect(await value(outputs.sourceAccount)).toBe("p2rreader");
    expect(await value(outputs.whitelistGroups)).toEqual(["POLARDB pc-bp1source/dtsmigration", "RDS rm-bp1target/dtsmigration"]);
    expect(outputs.targetDatabases).toEqual(["shop", "crm_new"]);
  });

  test("generated passwords meet both services' rules and only travel as secrets", async () => {
    setup(CLOUD);
    await build();
    const pw = byName("migration-source-password").inputs;
    expect(pw).toMatchObject({ length: 24, special: true, overrideSpecial: "!@#$%^&*()_+-=", minUpper: 2, minLower: 2, minNumeric: 2, minSpecial: 2 });
    expect(passwordProblem(GENERATED)).toBeUndefined();
    const run = byName("migration-run").inputs;
    expect(isSecret(run.sourcePassword) && run.sourcePassword.value).toBe(GENERATED);
    expect(isSecret(run.targetPassword) && run.targetPassword.value).toBe(GENERATED);
    expect(isSecret(run.source)).toBe(false);
    const account = byName("migration-source-account").inputs;
    expect(isSecret(account.accountPassword)).toBe(true);
    for (const r of g.registered) {
      for (const [path, s] of plainStrings(r.inputs)) expect([r.name, path, s.includes(GENERATED)]).toEqual([r.name, path, false]);
    }
  });

  test("configured passwords are used as secrets and never appear in plain inputs or provider text", async () => {
    setup({ ...CLOUD, sourcePassword: SOURCE_PW, targetPassword: TARGET_PW }, ["sourcePassword", "targetPassword"]);
    await build();
    expect(g.registered.some((r) => r.type.startsWith("random:"))).toBe(false);
    const run = byName("migration-run").inputs;
    expect(isSecret(run.sourcePassword) && run.sourcePassword.value).toBe(SOURCE_PW);
    expect(isSecret(run.targetPassword) && run.targetPassword.value).toBe(TARGET_PW);
    expect(isSecret(byName("migration-target-account").inputs.accountPassword)).toBe(true);
    for (const r of g.registered) {
      for (const [path, s] of plainStrings(r.inputs)) {
        expect([r.name, path, s.includes(SOURCE_PW) || s.includes(TARGET_PW)]).toEqual([r.name, path, false]);
      }
    }
    expect(typeof run.__provider).toBe("string");
    expect(String(run.__provider)).toMatch(/^exports.handler = __f0;/);
  });

  test("vpc network, api source and a runner inside the VPC change the groups accordingly", async () => {
    setup({ ...CLOUD, dtsNetwork: "vpc", runnerInTargetVpc: "true", whitelistGroupName: "p2rmigration", characterSets: "shop=gbk" });
    await build();
    expect(byName("migration-source-whitelist").inputs.securityIps).toEqual([...dtsCidrsFor("cn-hangzhou", "vpc"), RUNNER]);
    expect(byName("migration-database-shop").inputs.characterSet).toBe("gbk");
    expect(byName("migration-source-whitelist").inputs.groupName).toBe("p2rmigration");
    expect(g.registered.some((r) => r.name === "migration-target-whitelist")).toBe(false);

    setup({ ...CLOUD, runnerCidrs: "[]", runnerInSourceVpc: "true", runnerInTargetVpc: "true" });
    await build();
    expect(byName("migration-source-whitelist").inputs.securityIps).toEqual(dtsCidrsFor("cn-hangzhou", "internet"));
    expect(g.registered.some((r) => r.name === "migration-target-whitelist")).toBe(false);

    setup({ ...CLOUD, dtsCidrSource: "api", sourceRegion: "cn-shanghai" });
    await build();
    expect(byName("migration-source-whitelist").inputs).toMatchObject({
      securityIps: [RUNNER],
      dtsCidrs: { region: "cn-shanghai", destinationRegion: "cn-hangzhou", network: "internet" },
    });
  });
});

describe("preview", () => {
  test("the program declares the same graph while generated passwords are not known yet", async () => {
    setup(CLOUD, [], true);
    const program = buildProgram({ transformations: [g.recorder] });
    await value(program.migration.run.urn);
    await new Promise((r) => setTimeout(r, 50));
    expect(g.registered.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).map((r) => r.name).sort()).toEqual([
      "migration-run",
      "migration-source-whitelist",
      "migration-target-whitelist",
    ]);
    expect(byName("migration-run").inputs).toMatchObject({ include: ["shop", "crm.customers"] });
  });
});

describe("local mode", () => {
  test("declares only the MigrationRun, with the configured accounts as secrets", async () => {
    setup(
      {
        sourceHost: "10.0.0.5",
        sourcePort: "3307",
        sourceUser: "reader",
        sourcePassword: "anything",
        targetHost: "db.example.internal",
        targetUser: "writer",
        targetPassword: "whatever",
        include: "shop,crm",
        onExisting: "drop",
        threads: "4",
        withEvents: "true",
        triggers: "false",
        definer: "invoker",
      },
      ["sourcePassword", "targetPassword"],
    );
    const { outputs } = await build();
    expect(g.registered.map((r) => r.type).sort()).toEqual([
      "polardb-to-rds:index:PolarDbToRdsMigration",
      "pulumi-nodejs:dynamic/polardb-to-rds:MigrationRun",
    ]);
    const run = byName("migration-run");
    expect(run.parent).toBe("migration");
    expect(run.inputs).toMatchObject({
      include: ["shop", "crm"],
      onExisting: "drop",
      threads: 4,
      // The schema-object selection is part of the run's inputs, so pulumi preview shows it.
      events: true,
      triggers: false,
      definer: "invoker",
      source: { host: "10.0.0.5", port: 3307, user: "reader" },
      target: { host: "db.example.internal", port: 3306, user: "writer" },
    });
    expect(isSecret(run.inputs.sourcePassword) && run.inputs.sourcePassword.value).toBe("anything");
    expect(isSecret(run.inputs.targetPassword) && run.inputs.targetPassword.value).toBe("whatever");
    for (const [path, s] of plainStrings(run.inputs)) expect([path, s]).not.toEqual([path, "anything"]);
    expect(outputs.mode).toBe("local");
    expect(await value(outputs.whitelistGroups)).toEqual([]);
  });
});

describe("stack config errors name the key and the fix", () => {
  const cases: [string, Record<string, string>, RegExp, string[]][] = [
    ["unknown region", { ...CLOUD, "alicloud:region": "xx-nowhere-1" }, /polardb-to-rds:targetRegion: region "xx-nowhere-1" is not in the shipped DTS CIDR table.*known regions: .*cn-hangzhou.*dtsCidrSource "api".*dtsCidrs/, []],
    ["bad group name", { ...CLOUD, whitelistGroupName: "dts_migration" }, /polardb-to-rds:whitelistGroupName: "dts_migration" is not a valid whitelist group name/, []],
    ["missing password source", { sourceHost: "h", sourceUser: "u", targetHost: "t", targetUser: "w", targetPassword: "x", include: "shop" }, /polardb-to-rds:sourcePassword: local mode connects with an existing account.*pulumi config set --secret polardb-to-rds:sourcePassword/, ["targetPassword"]],
    ["unknown key", { ...CLOUD, sourceHots: "x" }, /polardb-to-rds:sourceHots: unknown field/, []],
    ["plain-text password", { ...CLOUD, sourcePassword: SOURCE_PW }, /polardb-to-rds:sourcePassword: is stored in plain text; set it as a secret/, []],
    ["weak password", { ...CLOUD, targetPassword: "abcdefgh" }, /polardb-to-rds:targetPassword: must contain at least three of/, ["targetPassword"]],
    ["missing runnerCidrs", { ...CLOUD, runnerCidrs: "[]" }, /polardb-to-rds:runnerCidrs: .*203.0.113.7.*runnerInSourceVpc/, []],
    ["glob database in cloud mode", { ...CLOUD, include: "shop_*" }, /polardb-to-rds:include\[0\]: "shop_\*" uses a pattern for the database name/, []],
    ["only one cloud ID", { ...CLOUD, targetInstanceId: "" }, /polardb-to-rds:targetInstanceId: /, []],
    ["bad include pattern from the engine's schema", { ...CLOUD, include: JSON.stringify(["a.b.c"]) }, /polardb-to-rds:include\[0\]: "a.b.c" has 3 parts/, []],
    ["bad port", { ...CLOUD, sourcePort: "70000" }, /polardb-to-rds:sourcePort: must be 1-65535/, []],
    ["bad definer policy", { ...CLOUD, definer: "owner" }, /polardb-to-rds:definer: .*keep.*migration-account.*invoker/, []],
    ["uppercase target database", { ...CLOUD, include: "Shop" }, /polardb-to-rds:rename: target database "Shop" is not a valid RDS database name.*Shop=shop/, []],
  ];
  test.each(cases)("%s", (_label, config, message, secretKeys) => {
    const cfg = { ...config };
    setup(cfg, secretKeys);
    let err: unknown;
    try {
      buildProgram();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(pulumi.RunError);
    expect(String((err as Error).message)).toMatch(message);
    expect(String((err as Error).message)).not.toContain(SOURCE_PW);
    expect(String((err as Error).message)).not.toContain("abcdefgh");
  });
});

/**
 * engine dts's dynamic providers as `pulumi up` runs them: serialized by the SDK, run by the SDK's
 * dynamic-provider host over gRPC.
 * - DtsMigrationWait against the local OpenAPI stand-in walking a DTS task through its states
 *   (a start, progress, Finished; a failure with DTS's message; a task that never finishes), then
 *   verifying with the engine against the real MariaDB servers (a copy that matches, one that does not).
 * - MigrationPrecheck against the same servers: the plan as output, a failed item before any DTS resource.
 */
import type { Connection } from "mysql2/promise";
import { dtsProviders } from "../components/dts-resources";
import { adminConnection } from "./support/mariadb";
import { OpenApiStandin, StandinDtsStep } from "./support/openapi-standin";
import { ProviderHost, Props, serializeProvider, UNKNOWN, urnOf } from "./support/provider-host";
import { harnessRunInputs } from "./support/run-inputs";
import { freshDatabaseName, servers } from "./support/servers";

const KEY_ID = "LTAIstandinkey";
const KEY_SECRET = "standin-Secret-9f3k";
const WAIT_URN = urnOf("pulumi-nodejs:dynamic/polardb-to-rds:DtsMigrationWait", "migration-dts-wait");
const PRECHECK_URN = urnOf("pulumi-nodejs:dynamic/polardb-to-rds:MigrationPrecheck", "migration-precheck");
const { source, target } = servers();

let standin: OpenApiStandin;
let host: ProviderHost;
let waitText: string;
let precheckText: string;
let src: Connection;
let dst: Connection;
const db = freshDatabaseName("p2r_dts");
const copy = `${db}_copy`;

/** MigrationRun's inputs: the connection and selection both DTS resources verify / precheck with. */
function runProps(overrides: Props = {}): Props {
  return harnessRunInputs([db], [`${db}=${copy}`], overrides);
}

function waitProps(jobId: string, overrides: Props = {}): Props {
  return {
    __provider: waitText,
    ...runProps(),
    dtsJobId: jobId,
    dtsInstanceId: `dts${jobId}`,
    region: "cn-hangzhou",
    dtsEndpoint: standin.url,
    timeoutMinutes: 5,
    pollSeconds: 0.05,
    ...overrides,
  };
}

const step = (Status: string, extra: Record<string, unknown> = {}, untilStarted = false): StandinDtsStep => ({
  detail: { Status, ...extra },
  untilStarted,
});
const phase = (Status: string, Percent: string, Progress = "") => ({ Status, Percent, Progress, ErrorMessage: "" });

const SCHEMA = `(id INT PRIMARY KEY, name VARCHAR(40), total DECIMAL(12,2)) ENGINE=InnoDB`;
const ROWS = `(1,'Ann',10.50),(2,'Bo',3.25),(3,'Cé',99.99),(4,NULL,0.01)`;

beforeAll(async () => {
  src = await adminConnection(source);
  dst = await adminConnection(target);
  // What a finished DTS task leaves behind: the same tables and rows under the renamed database.
  await src.query(`CREATE DATABASE ${db}; CREATE TABLE ${db}.orders ${SCHEMA}; INSERT INTO ${db}.orders VALUES ${ROWS};
                   CREATE TABLE ${db}.notes (id INT PRIMARY KEY, body TEXT); INSERT INTO ${db}.notes VALUES (1,'x'),(2,'y');`);
  await dst.query(`CREATE DATABASE ${copy}; CREATE TABLE ${copy}.orders ${SCHEMA}; INSERT INTO ${copy}.orders VALUES ${ROWS};
                   CREATE TABLE ${copy}.notes (id INT PRIMARY KEY, body TEXT); INSERT INTO ${copy}.notes VALUES (1,'x'),(2,'y');`);
  standin = await OpenApiStandin.start({ credentials: { [KEY_ID]: KEY_SECRET } });
  host = await ProviderHost.start();
  await host.configure({ "alicloud:accessKey": KEY_ID, "alicloud:secretKey": KEY_SECRET });
  waitText = await serializeProvider(dtsProviders.wait);
  precheckText = await serializeProvider(dtsProviders.precheck);
});

afterAll(async () => {
  host?.close();
  await standin?.close();
  await src?.end();
  await dst?.end();
});

describe("serialized DTS providers", () => {
  test("carry no credentials or passwords; load pop-core and the engine at run time", () => {
    for (const text of [waitText, precheckText]) {
      expect(text).toContain("loadEngine");
      expect(text).not.toContain(KEY_SECRET);
      expect(text).not.toContain(source.adminPassword);
    }
    expect(waitText).toContain('require("@alicloud/pop-core")');
  });
});

describe("DtsMigrationWait over gRPC", () => {
  let id = "";
  let outs: Props = {};

  test("check: the task, region and timeout are required; preview unknowns pass", async () => {
    expect((await host.check(WAIT_URN, {}, waitProps("job1"))).failures).toEqual([]);
    const bad = await host.check(WAIT_URN, {}, waitProps("", { region: "", timeoutMinutes: 0, dtsEndpoint: "ftp://x" }));
    expect(bad.failures.map((f) => f.property).sort()).toEqual(["dtsEndpoint", "dtsJobId", "region", "timeoutMinutes"]);
    const preview = await host.check(WAIT_URN, {}, waitProps(UNKNOWN, { dtsInstanceId: UNKNOWN, sourcePassword: UNKNOWN }));
    expect(preview.failures).toEqual([]);
  });

  test("create walks the task through its states, starts it once, then verifies the copy", async () => {
    standin.scriptDtsJob("job1", [
      step("NotStarted"),
      step("Prechecking", { PrecheckStatus: phase("Prechecking", "40") }),
      step("PreCheckPass", { PrecheckStatus: phase("Finished", "100") }, true),
      step("Migrating", { StructureInitializationStatus: phase("Migrating", "50", "1") }),
      step("Migrating", { StructureInitializationStatus: phase("Finished", "100", "2"), DataInitializationStatus: phase("Migrating", "45", "3") }),
      step("Migrating", { RetryState: { Retrying: true, ErrMessage: "DTS-31009: target connection reset" }, DataInitializationStatus: phase("Migrating", "80", "5") }),
      step("Finished", { StructureInitializationStatus: phase("Finished", "100", "2"), DataInitializationStatus: phase("Finished", "100", "6") }),
    ]);
    standin.requests.length = 0;
    const before = host.stderrText().length;
    const created = await host.create(WAIT_URN, waitProps("job1"));
    id = created.id;
    outs = created.outs;
    expect(id).toBe("dtswait-job1");
    expect(standin.dtsStarts("job1")).toBe(1);
    const describe = standin.calls("DescribeDtsJobDetail");
    expect(describe.length).toBeGreaterThanOrEqual(7);
    expect(describe[0].params).toMatchObject({ DtsJobId: "job1", DtsInstanceID: "dtsjob1", RegionId: "cn-hangzhou", Version: "2020-01-01" });
    expect(standin.calls("StartDtsJob")[0].params).toMatchObject({ DtsJobId: "job1", RegionId: "cn-hangzhou" });
    expect(standin.requests.every((r) => r.signatureValid)).toBe(true);

    const log = host.stderrText().slice(before);
    expect(log).toMatch(/DTS task job1: NotStarted/);
    expect(log).toMatch(/DTS task job1: PreCheckPass; precheck Finished 100%/);
    expect(log).toMatch(/DTS task job1: Migrating; schema Finished 100%; full data Migrating 45% \(3 rows\)/);
    expect(log).toMatch(/DTS is retrying: DTS-31009: target connection reset/);
    expect(log).toMatch(/DTS task job1: Finished/);

    expect(outs).toMatchObject({ dtsJobId: "job1", status: "Finished", verified: true, rows: 6, timeoutMinutes: 5 });
    expect(outs.verification).toEqual(
      expect.arrayContaining([
        { source: `${db}.orders`, target: `${copy}.orders`, status: "verified", sourceRows: 4, targetRows: 4, mismatches: [] },
        { source: `${db}.notes`, target: `${copy}.notes`, status: "verified", sourceRows: 2, targetRows: 2, mismatches: [] },
      ]),
    );
    expect(outs.sourcePassword).toBeUndefined();
    expect(JSON.stringify(outs)).not.toContain(source.adminPassword);
    expect(JSON.stringify(outs)).not.toContain(target.adminPassword);
  });

  test("diff: the same task is no change; another or a not-yet-known task replaces", async () => {
    expect(await host.diff(WAIT_URN, id, outs, waitProps("job1", { timeoutMinutes: 60, sourcePassword: "Rotated-Passw0rd" }))).toMatchObject({ changes: "none" });
    expect(await host.diff(WAIT_URN, id, outs, waitProps("job2"))).toMatchObject({ changes: "some", replaces: ["dtsJobId"] });
    expect(await host.diff(WAIT_URN, id, outs, waitProps(UNKNOWN))).toMatchObject({ changes: "some", replaces: ["dtsJobId"] });
  });

  test("update keeps the report without waiting or verifying again; read returns the stored state", async () => {
    standin.requests.length = 0;
    const { outs: updated } = await host.update(WAIT_URN, id, outs, waitProps("job1", { timeoutMinutes: 60 }));
    expect(updated).toMatchObject({ timeoutMinutes: 60, status: "Finished", verified: true, verification: outs.verification, finishedAt: outs.finishedAt });
    expect(standin.requests).toEqual([]);
    expect((await host.read(WAIT_URN, id, updated)).props).toEqual(updated);
    await host.delete(WAIT_URN, id, updated);
    expect(standin.requests).toEqual([]);
  });

  test("a failed task fails with DTS's error message and no password", async () => {
    standin.scriptDtsJob("job-failed", [
      step("Migrating", { DataInitializationStatus: phase("Migrating", "10", "100") }),
      step("MigrationFailed", {
        ErrorMessage: `DTS-070211: Connect Source DB failed. cause by [Access denied for user '${source.adminUser}' using password ${source.adminPassword}]`,
        DataInitializationStatus: { Status: "Failed", Percent: "10", ErrorMessage: "DTS-070211" },
      }),
    ]);
    const err = await host.create(WAIT_URN, waitProps("job-failed")).catch((e: Error) => e);
    const message = String((err as Error).message);
    expect(message).toMatch(/DTS task job-failed MigrationFailed: DTS-070211: Connect Source DB failed/);
    expect(message).toMatch(/pulumi up --replace the MigrationJob/);
    expect(message).not.toContain(source.adminPassword);
    expect(standin.dtsStarts("job-failed")).toBe(0);
  });

  test("a failed DTS precheck reports the failed phase's message", async () => {
    standin.scriptDtsJob("job-precheck", [
      step("PrecheckFailed", { PrecheckStatus: { Status: "Failed", Percent: "100", ErrorMessage: "CHECK_TABLE_EXISTS: the destination holds orders" } }),
    ]);
    await expect(host.create(WAIT_URN, waitProps("job-precheck"))).rejects.toThrow(
      /DTS task job-precheck PrecheckFailed: precheck: CHECK_TABLE_EXISTS: the destination holds orders/,
    );
  });

  test("a task that never finishes times out, saying it keeps running and how to wait on", async () => {
    standin.scriptDtsJob("job-slow", [step("Migrating", { DataInitializationStatus: phase("Migrating", "3", "42") })]);
    const started = Date.now();
    const err = await host.create(WAIT_URN, waitProps("job-slow", { timeoutMinutes: 0.01, pollSeconds: 0.1 })).catch((e: Error) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(String((err as Error).message)).toMatch(
      /DTS task job-slow did not finish within 0.01 minute\(s\); last status: Migrating; full data Migrating 3% \(42 rows\)\. The task keeps running on DTS.*pulumi up again.*dtsTimeoutMinutes/,
    );
    expect(standin.calls("DescribeDtsJobDetail").filter((r) => r.params.DtsJobId === "job-slow").length).toBeGreaterThan(1);
  });

  test("an OpenAPI error names the action and code", async () => {
    const err = await host.create(WAIT_URN, waitProps("job-unknown")).catch((e: Error) => e);
    expect(String(err)).toMatch(/DTS DescribeDtsJobDetail failed: InvalidJobId: The DtsJobId job-unknown does not exist/);
  });

  test("a finished task whose copy differs from the source fails, naming the table and rows", async () => {
    await dst.query(`DELETE FROM ${copy}.orders WHERE id = 4; UPDATE ${copy}.notes SET body = 'changed' WHERE id = 2`);
    standin.scriptDtsJob("job-mismatch", [step("Finished")]);
    const err = await host.create(WAIT_URN, waitProps("job-mismatch")).catch((e: Error) => e);
    const message = String((err as Error).message);
    expect(message).toMatch(/DTS task job-mismatch finished, but the verification found differences/);
    expect(message).toMatch(new RegExp(`${copy}\\.orders: source 4 rows, target 3 rows`));
    expect(message).toMatch(new RegExp(`${copy}\\.notes: source 2 rows, target 2 rows`));
    expect(message).toMatch(/needs writes to the source stopped/);
    expect(message).not.toContain(target.adminPassword);
  });

  test("verify false: waits for the task and reports it unverified", async () => {
    standin.scriptDtsJob("job-noverify", [step("Finished")]);
    const { outs: o } = await host.create(WAIT_URN, waitProps("job-noverify", { verify: false }));
    expect(o).toMatchObject({ status: "Finished", verified: false, verification: [], rows: 0 });
  });
});

describe("MigrationPrecheck over gRPC", () => {
  const fresh = `${db}_fresh`;

  test("create runs the engine's precheck and outputs the plan the DTS object list is built from", async () => {
    const props = { __provider: precheckText, ...runProps({ include: [`${db}.o*`], rename: [`${db}=${fresh}`] }) };
    expect((await host.check(PRECHECK_URN, {}, props)).failures).toEqual([]);
    const { id, outs } = await host.create(PRECHECK_URN, props);
    expect(id).toMatch(/^precheck-/);
    expect(outs.tables).toEqual([{ sourceDb: db, sourceTable: "orders", targetDb: fresh, targetTable: "orders" }]);
    expect(outs).toMatchObject({ targetDatabases: [fresh], include: [`${db}.o*`] });
    expect((outs.items as { name: string; status: string }[]).every((i) => i.status !== "failed")).toBe(true);
    expect(Number(outs.sourceBytes)).toBeGreaterThan(0);
    expect(JSON.stringify(outs)).not.toContain(source.adminPassword);
    expect(await host.diff(PRECHECK_URN, id, outs, props)).toMatchObject({ changes: "none" });
    expect(await host.diff(PRECHECK_URN, id, outs, { ...props, include: [db] })).toMatchObject({ replaces: ["include"] });
    const [tables] = await dst.query(`SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`, [fresh]);
    expect(Number((tables as { n: number }[])[0].n)).toBe(0);
  });

  test("a failed item (target tables exist) stops before any DTS resource, without a password", async () => {
    const props = { __provider: precheckText, ...runProps() };
    const err = await host.create(PRECHECK_URN, props).catch((e: Error) => e);
    const message = String((err as Error).message);
    expect(message).toMatch(/MigrationPrecheck: precheck failed/);
    expect(message).toMatch(/existing target tables/);
    expect(message).toMatch(/No DTS instance or task was created/);
    expect(message).not.toContain(source.adminPassword);
    expect(message).not.toContain(target.adminPassword);
  });
});

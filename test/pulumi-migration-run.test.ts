/**
 * MigrationRun's provider as `pulumi up` runs it: serialized by the SDK, run by the SDK's
 * dynamic-provider host over gRPC, migrating between the real source and target MariaDB servers.
 */
import type { Connection } from "mysql2/promise";
import { migrationRunProvider } from "../components/migration-run-provider";
import { adminConnection } from "./support/mariadb";
import { freshDatabaseName, servers } from "./support/servers";
import { ProviderHost, Props, serializeProvider, UNKNOWN, urnOf } from "./support/provider-host";
import { cliEndpoints, killMigrateMidway } from "./support/cli";
import { harnessEndpoint, harnessRunInputs } from "./support/run-inputs";

const URN = urnOf("pulumi-nodejs:dynamic/polardb-to-rds:MigrationRun", "migration-run");
const { source, target } = servers();

let host: ProviderHost;
let text: string;
let src: Connection;
let dst: Connection;
const db = freshDatabaseName("p2r_run");
const copy = `${db}_copy`;

const endpoint = harnessEndpoint;

function props(overrides: Props = {}): Props {
  return { __provider: text, ...harnessRunInputs([db], [`${db}=${copy}`], overrides) };
}

async function count(conn: Connection, table: string): Promise<number> {
  const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number((rows as { n: number | string }[])[0].n);
}

beforeAll(async () => {
  src = await adminConnection(source);
  dst = await adminConnection(target);
  await src.query(
    `CREATE DATABASE ${db} CHARACTER SET utf8mb4;
     CREATE TABLE ${db}.customers (id INT PRIMARY KEY, name VARCHAR(40)) ENGINE=InnoDB;
     CREATE TABLE ${db}.orders (id BIGINT PRIMARY KEY AUTO_INCREMENT, customer INT, total DECIMAL(12,2),
       FOREIGN KEY (customer) REFERENCES ${db}.customers(id)) ENGINE=InnoDB;
     INSERT INTO ${db}.customers VALUES (1,'Ann'),(2,'Bo'),(3,'Cé');
     INSERT INTO ${db}.orders (customer,total) VALUES (1,10.50),(1,3.25),(2,99.99),(3,0.01);`,
  );
  host = await ProviderHost.start();
  await host.configure({});
  text = await serializeProvider(migrationRunProvider);
});

afterAll(async () => {
  host?.close();
  await src?.end();
  await dst?.end();
});

describe("MigrationRun over gRPC", () => {
  let id = "";
  let outs: Props = {};

  test("the serialized provider loads the engine at run time and holds no password", () => {
    expect(text).toContain("loadEngine");
    expect(text).not.toContain(source.adminPassword);
    expect(text).not.toContain(target.adminPassword);
  });

  test("check validates the options with the engine's schema, naming the field", async () => {
    expect((await host.check(URN, {}, props())).failures).toEqual([]);
    const bad = await host.check(URN, {}, props({ include: [], onExisting: "overwrite" }));
    expect(bad.failures.map((f) => f.property).sort()).toEqual(["include", "onExisting"]);
    expect(bad.failures.find((f) => f.property === "include")!.reason).toMatch(/^include: nothing is selected/);
  });

  test("check during preview accepts unknown passwords and hosts without using them", async () => {
    const preview = props({ sourcePassword: UNKNOWN, target: { ...endpoint(target), host: UNKNOWN } });
    const r = await host.check(URN, {}, preview);
    expect(r.failures).toEqual([]);
    expect(host.stderrText()).not.toContain(UNKNOWN);
  });

  test("create migrates and verifies, and outputs the report without secrets", async () => {
    const created = await host.create(URN, props());
    id = created.id;
    outs = created.outs;
    expect(id).toMatch(/^run-/);
    expect(outs).toMatchObject({ tables: 2, rows: 7, verified: true, resumed: false, targetDatabases: [copy], warnings: expect.any(Array) });
    expect(typeof outs.snapshot).toBe("string");
    expect(outs.tableReports).toEqual(
      expect.arrayContaining([expect.objectContaining({ source: `${db}.orders`, target: `${copy}.orders`, status: "copied", rows: 4 })]),
    );
    expect(typeof outs.completedAt).toBe("string");
    const json = JSON.stringify(outs);
    expect(json).not.toContain(source.adminPassword);
    expect(json).not.toContain(target.adminPassword);
    expect(outs.sourcePassword).toBeUndefined();
    expect(outs.source).toEqual({ host: source.host, port: source.port, user: source.adminUser, ssl: "disabled", sslCa: null });
    expect(await count(dst, `${copy}.customers`)).toBe(3);
    expect(await count(dst, `${copy}.orders`)).toBe(4);
  });

  test("diff: same inputs or a new password, threads or TLS mode is no change", async () => {
    expect(await host.diff(URN, id, outs, props())).toMatchObject({ changes: "none", replaces: [] });
    const rotated = props({
      sourcePassword: "Another-Passw0rd",
      source: { ...endpoint(source), ssl: "preferred" },
      threads: 4,
      batchBytes: "8M",
      chunkBytes: "1M",
      restart: true,
      verify: false,
      retries: 2,
    });
    expect(await host.diff(URN, id, outs, rotated)).toMatchObject({ changes: "none", replaces: [] });
  });

  test("diff: another selection, rename, target or policy is a replacement naming the fields", async () => {
    expect(await host.diff(URN, id, outs, props({ include: [`${db}.orders`] }))).toMatchObject({ changes: "some", replaces: ["include"] });
    expect(await host.diff(URN, id, outs, props({ rename: [], onExisting: "drop" }))).toMatchObject({
      changes: "some",
      replaces: ["rename", "onExisting"],
    });
    expect(await host.diff(URN, id, outs, props({ target: { ...endpoint(target), port: 1 } }))).toMatchObject({ replaces: ["target"] });
    // Which schema objects come along, and their DEFINER, change what is copied.
    expect(await host.diff(URN, id, outs, props({ events: true, definer: "invoker" }))).toMatchObject({ changes: "some", replaces: ["events", "definer"] });
    expect(await host.diff(URN, id, outs, props({ views: true, definer: "migration-account" }))).toMatchObject({ changes: "none", replaces: [] });
  });

  test("diff during preview: unknown passwords are no change, an unknown host may replace, nothing fails", async () => {
    const pw = props({ sourcePassword: UNKNOWN, targetPassword: UNKNOWN });
    expect(await host.diff(URN, id, outs, pw)).toMatchObject({ changes: "none" });
    const hostUnknown = props({ target: { ...endpoint(target), host: UNKNOWN } });
    expect(await host.diff(URN, id, outs, hostUnknown)).toMatchObject({ changes: "some", replaces: ["target"] });
  });

  test("update records new inputs and keeps the report, without copying again", async () => {
    await src.query(`INSERT INTO ${db}.customers VALUES (4,'Dee')`);
    const { outs: updated } = await host.update(URN, id, outs, props({ threads: 4 }));
    expect(updated).toMatchObject({ threads: 4, tables: 2, rows: 7, verified: true, completedAt: outs.completedAt });
    expect(JSON.stringify(updated)).not.toContain(source.adminPassword);
    expect(await count(dst, `${copy}.customers`)).toBe(3);
    outs = updated;
  });

  test("read returns the stored state", async () => {
    const r = await host.read(URN, id, outs);
    expect(r.id).toBe(id);
    expect(r.props).toEqual(outs);
  });

  test("delete leaves every migrated table and row in place", async () => {
    await host.delete(URN, id, outs);
    expect(await count(dst, `${copy}.customers`)).toBe(3);
    expect(await count(dst, `${copy}.orders`)).toBe(4);
    // The engine drops its resume bookkeeping when a run completes: nothing of ours is left behind.
    const [tables] = await dst.query(`SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`, [copy]);
    expect((tables as { t: string }[]).map((r) => r.t).sort()).toEqual(["customers", "orders"]);
  });

  test("a create with a wrong password fails naming the phase, without the password", async () => {
    const wrong = "Wr0ng-Pa55word!";
    const err = await host
      .create(URN, props({ sourcePassword: wrong, rename: [`${db}=${db}_wrongpw`] }))
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = String((err as Error).message);
    expect(message).toMatch(/precheck failed[\s\S]*source connection/);
    expect(message).not.toContain(wrong);
    expect(message).not.toContain(source.adminPassword);
    expect(host.stderrText()).not.toContain(wrong);
  });

  test("a rerun onto existing tables stops at the precheck unless onExisting says what to do", async () => {
    const again = await host.create(URN, props()).catch((e: Error) => e);
    expect(String(again)).toMatch(/precheck failed/);
    expect(String(again)).toMatch(/Nothing was written/);
    const replaced = await host.create(URN, props({ onExisting: "drop" }));
    expect(replaced.outs).toMatchObject({ rows: 8, verified: true });
    expect(await count(dst, `${copy}.customers`)).toBe(4);
  });
});

describe("MigrationRun after an interrupted attempt", () => {
  it("a rerun of create continues the engine's unfinished run instead of starting over", async () => {
    const again = freshDatabaseName("p2r_resume");
    await src.query(
      `CREATE DATABASE ${again}; CREATE TABLE ${again}.t (id INT PRIMARY KEY, v VARCHAR(200));
       INSERT INTO ${again}.t SELECT seq, REPEAT('r', 150) FROM ${again}.seq_1_to_200000; ANALYZE TABLE ${again}.t;`,
    );
    // An attempt killed half-way (as if pulumi up was interrupted): some key ranges are committed.
    const { source: s, target: t, env } = cliEndpoints();
    const done = await killMigrateMidway(["migrate", "--source", s, "--target", t, "--include", again, "--threads", "2", "--chunk-size", "2M", "--no-progress"], env, again, 2);
    expect(done).toBeGreaterThanOrEqual(2);
    const created = await host.create(URN, props({ include: [again], rename: [] }));
    expect(created.outs.resumed).toBe(true);
    expect(created.outs.verified).toBe(true);
    expect(await count(dst, `${again}.t`)).toBe(200000);
  });
});

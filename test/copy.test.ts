/** The data path through the library API: batch boundaries, tables without keys, server time zones. */
import { migrate, precheck } from "../migrator";
import { checksums, rowCounts, withAdmin } from "./support/compare";
import { freshDatabaseName, servers } from "./support/servers";

describe("full data copy", () => {
  const { source, target } = servers();

  it("cuts a table into many LOAD DATA batches without losing, duplicating or altering a row", async () => {
    const db = freshDatabaseName("batches");
    await withAdmin(source, async (c) => {
      await c.query(`CREATE DATABASE ${db}`);
      await c.query(`USE ${db}`);
      await c.query(`
        CREATE TABLE keyed (id INT PRIMARY KEY, v VARCHAR(64), b VARBINARY(16), t TIMESTAMP(3) NULL);
        INSERT INTO keyed SELECT seq, CONCAT('row\\t', seq, '\\n\\\\', IF(seq % 7 = 0, NULL, 'x')), UNHEX(LPAD(HEX(seq), 8, '0A')),
                                 FROM_UNIXTIME(seq * 1000) FROM seq_1_to_30000;
        CREATE TABLE dupes (a INT, b VARCHAR(10));
        INSERT INTO dupes SELECT seq % 10, 'same' FROM seq_1_to_5000;
        CREATE TABLE empty_one (id INT PRIMARY KEY);`);
    });
    // Server zones unlike each other and unlike UTC: TIMESTAMP values must still arrive unchanged.
    await withAdmin(source, (c) => c.query("SET GLOBAL time_zone = '+08:00'"));
    await withAdmin(target, (c) => c.query("SET GLOBAL time_zone = '-03:00'"));
    try {
      const progress: number[] = [];
      const report = await migrate(
        { source: source.url, target: target.url, include: [db], threads: 2, batchBytes: 20_000 },
        (p) => progress.push(p.rowsDone),
      );
      expect(report.tables.map((t) => [t.target, t.status, t.rows])).toEqual(
        expect.arrayContaining([
          [`${db}.keyed`, "copied", 30000],
          [`${db}.dupes`, "copied", 5000],
          [`${db}.empty_one`, "copied", 0],
        ]),
      );
      expect(report.totals.rows).toBe(35000);
      expect(report.totals.bytes).toBeGreaterThan(30000 * 20);
      expect(report.verified).toBe(true);
      // Many intermediate progress events, never going backwards.
      expect(progress.length).toBeGreaterThan(10);
      expect([...progress].sort((a, b) => a - b)).toEqual(progress);
      expect(await checksums(target, db)).toEqual(await checksums(source, db));
      expect(await rowCounts(target, db)).toEqual({ dupes: 5000, empty_one: 0, keyed: 30000 });
    } finally {
      await withAdmin(source, (c) => c.query("SET GLOBAL time_zone = SYSTEM"));
      await withAdmin(target, (c) => c.query("SET GLOBAL time_zone = SYSTEM"));
    }
  });

  it("cuts big tables into key ranges shared by the workers, for every kind of key", async () => {
    const db = freshDatabaseName("chunks");
    await withAdmin(source, async (c) => {
      await c.query(`CREATE DATABASE ${db}`);
      await c.query(`USE ${db}`);
      await c.query(`
        CREATE TABLE dense (id INT PRIMARY KEY, v VARCHAR(20));
        INSERT INTO dense SELECT seq, CONCAT('d', seq) FROM seq_1_to_12000;
        CREATE TABLE sparse (id BIGINT UNSIGNED PRIMARY KEY, v INT);
        INSERT INTO sparse SELECT seq * 1000003 + 18446744073000000000 DIV 2, seq FROM seq_1_to_9000;
        CREATE TABLE composite (region VARCHAR(10) COLLATE utf8mb4_general_ci NOT NULL, day DATE NOT NULL, n INT NOT NULL, v TEXT,
                                PRIMARY KEY (region, day, n));
        INSERT INTO composite SELECT ELT(1 + seq % 4, 'north', 'South', 'éast', 'west '), '2024-01-01' + INTERVAL (seq % 50) DAY, seq, REPEAT('z', seq % 30)
          FROM seq_1_to_10000;
        CREATE TABLE bin_key (k VARBINARY(16) NOT NULL, UNIQUE KEY (k), v INT);
        INSERT INTO bin_key SELECT UNHEX(MD5(seq)), seq FROM seq_1_to_5000;
        CREATE TABLE enum_key (e ENUM('z', 'a', 'm') NOT NULL, n INT NOT NULL, PRIMARY KEY (e, n));
        INSERT INTO enum_key SELECT ELT(1 + seq % 3, 'z', 'a', 'm'), seq FROM seq_1_to_6000;
        ANALYZE TABLE dense, sparse, composite, bin_key, enum_key;`);
    });
    const report = await migrate({ source: source.url, target: target.url, include: [db], threads: 3, chunkBytes: 1 });
    expect(report.verified).toBe(true);
    const chunks = Object.fromEntries(report.tables.map((t) => [t.target.split(".")[1], t.chunks]));
    expect(chunks.dense).toBeGreaterThanOrEqual(8);
    expect(chunks.sparse).toBeGreaterThanOrEqual(6);
    expect(chunks.composite).toBeGreaterThanOrEqual(6);
    expect(chunks.bin_key).toBeGreaterThanOrEqual(3);
    expect(chunks.enum_key).toBe(1); // ENUM compares as text but sorts by index: never cut
    expect(await checksums(target, db)).toEqual(await checksums(source, db));
    expect(await rowCounts(target, db)).toEqual({ bin_key: 5000, composite: 10000, dense: 12000, enum_key: 6000, sparse: 9000 });
  });

  it.each([
    ["SELECT, RELOAD", "flush tables with read lock"],
    ["SELECT, LOCK TABLES", "lock tables"],
    ["SELECT", "none"],
  ])("a source account with %s reads under snapshot method %s, and says so", async (grants, method) => {
    const db = freshDatabaseName("snap");
    const user = `snap_${method.replace(/\W/g, "").slice(0, 8)}`;
    const pw = "Snap-pass-1";
    await withAdmin(source, async (c) => {
      await c.query(`CREATE DATABASE ${db}`);
      await c.query(`CREATE TABLE ${db}.t (id INT PRIMARY KEY, v INT)`);
      await c.query(`INSERT INTO ${db}.t SELECT seq, seq FROM ${db}.seq_1_to_1000`);
      await c.query(`CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY '${pw}'`);
      if (grants.includes("RELOAD")) await c.query(`GRANT RELOAD ON *.* TO '${user}'@'%'`);
      await c.query(`GRANT ${grants.replace(", RELOAD", "")} ON ${db}.* TO '${user}'@'%'`);
    });
    const report = await migrate({ source: { host: "127.0.0.1", port: source.port, user, password: pw }, target: target.url, include: [db] });
    expect(report.snapshot).toBe(method);
    expect(report.verified).toBe(true);
    const warned = report.warnings.some((w) => w.startsWith("consistent snapshot:"));
    expect(warned).toBe(method === "none");
  });

  it("precheck lists each item and the plan without writing anything", async () => {
    const db = freshDatabaseName("pre");
    await withAdmin(source, async (c) => {
      await c.query(`CREATE DATABASE ${db} CHARACTER SET latin1 COLLATE latin1_bin`);
      await c.query(`CREATE TABLE ${db}.a (id INT PRIMARY KEY)`);
    });
    const r = await precheck({ source: source.url, target: target.url, include: [db], rename: [`${db}=${db}_new`], targetCapacity: "1G" });
    expect(r.ok).toBe(true);
    expect(r.databases).toEqual([{ sourceDb: db, targetDb: `${db}_new`, characterSet: "latin1", collation: "latin1_bin" }]);
    expect(r.tables).toEqual([{ sourceDb: db, sourceTable: "a", targetDb: `${db}_new`, targetTable: "a" }]);
    expect(r.items.map((i) => i.name)).toEqual(
      expect.arrayContaining(["source connection", "target connection", "selected objects exist", "destination names", "source read access", "existing target tables", "target privileges", "target local_infile", "foreign keys", "target capacity", "server versions"]),
    );
    expect(r.items.find((i) => i.name === "target capacity")).toMatchObject({ status: "passed" });
    const exists = await withAdmin(target, async (c) => {
      const [rows] = await c.query("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [`${db}_new`]);
      return Number((rows as { n: string }[])[0].n);
    });
    expect(exists).toBe(0);
  });
});

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

/**
 * Faults on real servers: killed connections, a killed CLI, a crashed target, writes to the source
 * during the run. Each run must end verified equal, or fail with a clear message and be finished
 * by a rerun, without duplicated or missing rows.
 */
import { migrate, MigrationError } from "../migrator";
import { checksums, rowCounts, withAdmin } from "./support/compare";
import { cliEndpoints, killMigrateMidway, runCli } from "./support/cli";
import { crashMariaDb, LocalServer, restartMariaDb, startMariaDb, stopMariaDb } from "./support/mariadb";
import { freshDatabaseName, servers } from "./support/servers";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A keyed table and a table without a key (with duplicate rows), big enough to take a few seconds. */
async function seedBig(server: LocalServer, db: string, rows: number): Promise<void> {
  await withAdmin(server, async (c) => {
    await c.query(`CREATE DATABASE ${db}`);
    await c.query(`USE ${db}`);
    await c.query(`
      CREATE TABLE keyed (id INT PRIMARY KEY, a VARCHAR(200), b BIGINT, KEY kb (b));
      INSERT INTO keyed SELECT seq, REPEAT(CHAR(65 + seq % 26), 150 + seq % 50), seq * 7 FROM seq_1_to_${rows};
      CREATE TABLE nokey (a INT, b VARCHAR(100));
      INSERT INTO nokey SELECT seq % 1000, REPEAT('n', 80) FROM seq_1_to_${Math.round(rows / 2)};
      ANALYZE TABLE keyed, nokey;`);
  });
}

async function expectEqual(source: LocalServer, target: LocalServer, db: string): Promise<void> {
  expect(await rowCounts(target, db)).toEqual(await rowCounts(source, db));
  expect(await checksums(target, db)).toEqual(await checksums(source, db));
}

describe("faults", () => {
  it("survives killed source connections mid-table and verifies equal", async () => {
    const { source, target } = servers();
    const db = freshDatabaseName("kill");
    await seedBig(source, db, 300_000);
    let kills = 0;
    let stop = false;
    const admin = await (await import("./support/mariadb")).adminConnection(source);
    const killer = (async () => {
      while (!stop && kills < 2) {
        const [rows] = await admin.query(
          "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND INFO NOT LIKE '%PROCESSLIST%'",
          [`SELECT % FROM \`${db}\`.\`keyed\`%ORDER BY%`],
        );
        for (const { id } of rows as { id: number }[]) {
          await admin.query(`KILL CONNECTION ${Number(id)}`).catch(() => undefined);
          kills++;
        }
        await sleep(5);
      }
      await admin.end();
    })();
    const report = await migrate({ source: source.url, target: target.url, include: [db], threads: 2, chunkBytes: "2M", batchBytes: "256K" });
    stop = true;
    await killer;
    expect(kills).toBeGreaterThan(0);
    expect(report.verified).toBe(true);
    expect(report.warnings.some((w) => /retry 1\/6 of .*keyed/.test(w))).toBe(true);
    await expectEqual(source, target, db);
  });

  it("resumes after the CLI is killed with SIGKILL, without duplicates in a table without a key", async () => {
    const { source, target } = servers();
    const { source: src, target: dst, env } = cliEndpoints();
    const db = freshDatabaseName("sigkill");
    await seedBig(source, db, 200_000);
    const args = ["migrate", "--source", src, "--target", dst, "--include", db, "--threads", "2", "--chunk-size", "2M", "--no-progress"];
    const done = await killMigrateMidway(args, env, db, 3);
    expect(done).toBeGreaterThanOrEqual(3);

    // Other options than the unfinished run's: refused, nothing touched.
    const other = await runCli([...args.slice(0, 5), "--include", `${db}.keyed`, "--json"], env);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("unfinished run with other options");

    const again = await runCli([...args, "--json"], env);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report.resumed).toBe(true);
    expect(report.verified).toBe(true);
    await expectEqual(source, target, db);
    // The bookkeeping is gone once the run completed.
    expect(Object.keys(await rowCounts(target, db)).sort()).toEqual(["keyed", "nokey"]);
  });

  it("--restart discards an unfinished run and copies everything again", async () => {
    const { source, target } = servers();
    const { source: src, target: dst, env } = cliEndpoints();
    const db = freshDatabaseName("restart");
    await seedBig(source, db, 20_000);
    // Simulate an unfinished run: a ledger from other options, a half-filled table.
    await withAdmin(target, async (c) => {
      await c.query(`CREATE DATABASE ${db}`);
      await c.query(`CREATE TABLE ${db}.keyed (id INT PRIMARY KEY, junk INT)`);
      await c.query(`INSERT INTO ${db}.keyed VALUES (1, 1)`);
      await c.query(`CREATE TABLE ${db}._polardb_to_rds_ledger (item VARCHAR(100) CHARACTER SET ascii NOT NULL PRIMARY KEY, state VARCHAR(20) NOT NULL, detail LONGTEXT, updated TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))`);
      const { createHash } = await import("node:crypto");
      const id = createHash("sha1").update(`${db}\u0000keyed`).digest("hex");
      await c.query(`INSERT INTO ${db}._polardb_to_rds_ledger (item, state, detail) VALUES ('run', 'running', 'other'), (?, 'created', '[{}]')`, [`t:${id}`]);
    });
    const base = ["migrate", "--source", src, "--target", dst, "--include", db, "--no-progress"];
    const refused = await runCli(base, env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("pass --restart");
    const r = await runCli([...base, "--restart"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    await expectEqual(source, target, db);
  });

  it("reports writes to the source during the run", async () => {
    const { source, target } = servers();
    const db = freshDatabaseName("writes");
    await seedBig(source, db, 60_000);
    let wrote: Promise<unknown> | undefined;
    const run = migrate({ source: source.url, target: target.url, include: [db], threads: 2, chunkBytes: "1M" }, (p) => {
      if (p.phase === "data" && p.rowsDone > 0 && !wrote) {
        wrote = withAdmin(source, (c) => c.query(`INSERT INTO ${db}.keyed VALUES (900001, 'late', 1)`));
      }
    });
    await expect(run).rejects.toThrow(MigrationError);
    await expect(run).rejects.toThrow(/verify phase failed: the source took writes during the migration .*keyed/);
    await wrote;
  });

  describe("a target that crashes mid-run", () => {
    let own: { source: LocalServer; target: LocalServer };
    beforeAll(async () => {
      const [source, target] = await Promise.all([startMariaDb({ name: "fault-src" }), startMariaDb({ name: "fault-dst" })]);
      own = { source, target };
    });
    afterAll(async () => {
      await Promise.all([stopMariaDb(own.source), stopMariaDb(own.target)]);
    });

    it("waits, reconnects after the restart and finishes verified equal", async () => {
      const { source, target } = own;
      const db = freshDatabaseName("crash");
      await seedBig(source, db, 150_000);
      let crashed = false;
      let restarted: Promise<void> | undefined;
      const report = await migrate({ source: source.url, target: target.url, include: [db], threads: 2, chunkBytes: "2M" }, (p) => {
        if (p.phase === "data" && p.rowsDone > 20_000 && !crashed) {
          crashed = true;
          restarted = crashMariaDb(target).then(() => sleep(1500)).then(() => restartMariaDb(target));
        }
      });
      await restarted;
      expect(crashed).toBe(true);
      expect(report.verified).toBe(true);
      expect(report.warnings.some((w) => /retry \d\/6 of /.test(w))).toBe(true);
      await expectEqual(source, target, db);
    });

    it("fails with a clear message when the target stays down, and a rerun finishes", async () => {
      const { source, target } = own;
      const db = freshDatabaseName("down");
      await seedBig(source, db, 100_000);
      let crashed: Promise<void> | undefined;
      const run = migrate({ source: source.url, target: target.url, include: [db], threads: 2, chunkBytes: "2M", retries: 1 }, (p) => {
        if (p.phase === "data" && p.rowsDone > 10_000 && !crashed) crashed = crashMariaDb(target);
      });
      await expect(run).rejects.toThrow(/data phase failed on .*(ECONNREFUSED|cannot reach|Connection lost|closed state)/);
      await crashed;
      await restartMariaDb(target);
      const report = await migrate({ source: source.url, target: target.url, include: [db], threads: 2, chunkBytes: "2M" });
      expect(report.resumed).toBe(true);
      expect(report.verified).toBe(true);
      await expectEqual(source, target, db);
    });
  });
});

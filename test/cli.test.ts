/**
 * The CLI as users run it: real servers, real processes. Exit codes 0 / 1 / 2, messages naming
 * the field or object and the fix, nothing written on bad input, no password in any output.
 */
import { checksums, dropDatabases, rowCounts, showCreates, tableNames, withAdmin } from "./support/compare";
import { cliEndpoints, runCli } from "./support/cli";
import { freshDatabaseName, servers } from "./support/servers";

const q = (s: string) => "`" + s.replace(/`/g, "``") + "`";

async function seed(db: string, sql: string): Promise<void> {
  await withAdmin(servers().source, async (c) => {
    await c.query(`CREATE DATABASE ${q(db)}`);
    await c.query(`USE ${q(db)}`);
    await c.query(sql);
  });
}

async function targetHas(db: string): Promise<boolean> {
  return withAdmin(servers().target, async (c) => {
    const [rows] = await c.query("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [db]);
    return Number((rows as { n: string }[])[0].n) > 0;
  });
}

describe("polardb-to-rds CLI", () => {
  const { source, target, env } = cliEndpoints();
  const base = (db: string) => ["--source", source, "--target", target, "--include", db];

  it("migrates names with backticks, spaces, dots, unicode, reserved words and SQL injection attempts", async () => {
    const db = `we.ird ${freshDatabaseName("ü")}`;
    await seed(
      db,
      `CREATE TABLE \`select\` (\`from\` INT PRIMARY KEY, \`a\`\`b\` VARCHAR(10), \`c d.e\` TEXT, \`ünï 表\` INT);
       INSERT INTO \`select\` VALUES (1, 'x', 'y', 2), (2, NULL, '', NULL);
       CREATE TABLE \`x\`\`; DROP DATABASE y; --\` (id INT PRIMARY KEY, v VARCHAR(20));
       INSERT INTO \`x\`\`; DROP DATABASE y; --\` VALUES (1, 'survived');
       CREATE TABLE \`dot.ted\` (\`key\` INT NOT NULL, UNIQUE KEY (\`key\`));
       INSERT INTO \`dot.ted\` VALUES (3), (1), (2);`,
    );
    const r = await runCli(["migrate", ...base(q(db)), "--json", "--no-progress"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(true);
    expect(report.totals.rows).toBe(6);
    expect((await withAdmin(servers().target, (c) => tableNames(c, db))).sort()).toEqual(["dot.ted", "select", "x`; DROP DATABASE y; --"]);
    expect(await checksums(servers().target, db)).toEqual(await checksums(servers().source, db));
    expect(await showCreates(servers().target, db)).toEqual(await showCreates(servers().source, db));
  });

  it("creates foreign keys after the data, whatever the order, and keeps definitions exact", async () => {
    const db = freshDatabaseName("fk");
    await seed(
      db,
      `CREATE TABLE z_parent (id INT PRIMARY KEY, name VARCHAR(20));
       CREATE TABLE m_middle (id INT PRIMARY KEY, parent_id INT, KEY (parent_id),
         CONSTRAINT fk_mid FOREIGN KEY (parent_id) REFERENCES z_parent (id) ON DELETE CASCADE ON UPDATE SET NULL);
       CREATE TABLE a_child (id INT PRIMARY KEY, middle_id INT NOT NULL,
         CONSTRAINT fk_child FOREIGN KEY (middle_id) REFERENCES m_middle (id));
       INSERT INTO z_parent VALUES (1, 'p1'), (2, 'p2');
       INSERT INTO m_middle VALUES (10, 1), (20, 2), (30, NULL);
       INSERT INTO a_child VALUES (100, 10), (200, 20), (300, 30);`,
    );
    const r = await runCli(["migrate", ...base(db), "--threads", "3", "--no-progress"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("3 tables, 8 rows");
    expect(await showCreates(servers().target, db)).toEqual(await showCreates(servers().source, db));
    expect(await checksums(servers().target, db)).toEqual(await checksums(servers().source, db));
  });

  it("renames databases and tables, including foreign keys that point at a renamed table", async () => {
    const db = freshDatabaseName("ren");
    const to = freshDatabaseName("renamed");
    await seed(
      db,
      `CREATE TABLE parent (id INT PRIMARY KEY);
       CREATE TABLE child (id INT PRIMARY KEY, p INT, CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES parent (id));
       CREATE TABLE keep (id INT PRIMARY KEY);
       INSERT INTO parent VALUES (1), (2); INSERT INTO child VALUES (1, 1), (2, 2); INSERT INTO keep VALUES (7);`,
    );
    const r = await runCli(["migrate", ...base(db), "--rename", `${db}=${to}`, "--rename", `${db}.parent=${to}.folks`, "--no-progress"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(await targetHas(db)).toBe(false);
    expect(await rowCounts(servers().target, to)).toEqual({ child: 2, folks: 2, keep: 1 });
    const src = await showCreates(servers().source, db);
    const dst = await showCreates(servers().target, to);
    expect(dst.folks).toEqual(src.parent.replace("CREATE TABLE `parent`", "CREATE TABLE `folks`"));
    expect(dst.child).toEqual(src.child.replace("REFERENCES `parent`", "REFERENCES `folks`"));
    expect(dst.keep).toEqual(src.keep);
  });

  it("selects with globs and excludes, and never touches system schemas", async () => {
    const db = freshDatabaseName("glob");
    await seed(
      db,
      `CREATE TABLE orders_2023 (id INT PRIMARY KEY); CREATE TABLE orders_2024 (id INT PRIMARY KEY);
       CREATE TABLE orders_tmp (id INT PRIMARY KEY); CREATE TABLE users (id INT PRIMARY KEY);`,
    );
    const r = await runCli(
      ["migrate", "--source", source, "--target", target, "--include", `${db}.orders_*`, "--include", `${db}.user?`, "--exclude", `${db}.*_tmp`, "--no-progress"],
      env,
    );
    expect(r.code).toBe(0);
    expect(Object.keys(await rowCounts(servers().target, db)).sort()).toEqual(["orders_2023", "orders_2024", "users"]);

    const sys = await runCli(["migrate", "--source", source, "--target", target, "--include", "mysql"], env);
    expect(sys.code).toBe(2);
    expect(sys.stderr).toContain('include[0]: "mysql" is a system schema');
    const glob = await runCli(["precheck", "--source", source, "--target", target, "--include", "*", "--exclude", `${db}`, "--json"], env);
    const planned: { sourceDb: string }[] = JSON.parse(glob.stdout).tables;
    expect(planned.some((t) => ["mysql", "sys", "performance_schema", "information_schema"].includes(t.sourceDb))).toBe(false);
  });

  describe("existing target tables", () => {
    const db = freshDatabaseName("exist");
    beforeAll(async () => {
      await seed(db, `CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');`);
    });
    const prepareTarget = (sql: string) =>
      withAdmin(servers().target, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${q(db)}`);
        await c.query(`CREATE DATABASE ${q(db)}`);
        await c.query(`USE ${q(db)}`);
        await c.query(sql);
      });
    const targetRows = () =>
      withAdmin(servers().target, async (c) => {
        const [rows] = await c.query(`SELECT id, v FROM ${q(db)}.t ORDER BY id`);
        return rows;
      });

    it("fails the precheck without --on-existing and writes nothing", async () => {
      await prepareTarget(`CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO t VALUES (9, 'mine');`);
      const r = await runCli(["migrate", ...base(db), "--no-progress"], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`already on the target: ${db}.t; pass --on-existing drop|truncate|append`);
      expect(r.stderr).toContain("nothing was written");
      expect(await targetRows()).toEqual([{ id: 9, v: "mine" }]);
    });

    it("drop recreates the table from the source definition", async () => {
      await prepareTarget(`CREATE TABLE t (other INT); INSERT INTO t VALUES (42);`);
      const r = await runCli(["migrate", ...base(db), "--on-existing", "drop", "--no-progress"], env);
      expect(r.code).toBe(0);
      expect(await showCreates(servers().target, db)).toEqual(await showCreates(servers().source, db));
      expect(await checksums(servers().target, db)).toEqual(await checksums(servers().source, db));
    });

    it("truncate empties the existing table and loads the source rows", async () => {
      await prepareTarget(`CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10), extra INT DEFAULT 5); INSERT INTO t VALUES (9, 'mine', 1);`);
      const r = await runCli(["migrate", ...base(db), "--on-existing", "truncate", "--no-progress"], env);
      expect(r.code).toBe(0);
      expect(await targetRows()).toEqual([{ id: 1, v: "a" }, { id: 2, v: "b" }, { id: 3, v: "c" }]);
    });

    it("append keeps the existing rows", async () => {
      await prepareTarget(`CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO t VALUES (9, 'mine');`);
      const r = await runCli(["migrate", ...base(db), "--on-existing", "append", "--no-progress"], env);
      expect(r.code).toBe(0);
      expect(await targetRows()).toEqual([{ id: 1, v: "a" }, { id: 2, v: "b" }, { id: 3, v: "c" }, { id: 9, v: "mine" }]);
    });

    it("a failed load names the phase, the table and the server's error, and reports the table incomplete", async () => {
      await prepareTarget(`CREATE TABLE t (id INT PRIMARY KEY, v CHAR(1)); INSERT INTO t VALUES (1, 'x');`);
      const r = await runCli(["migrate", ...base(db), "--on-existing", "append", "--no-progress"], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`data phase failed on ${db}\\.t: .*(Duplicate|duplicate|warning|stored)`));
      expect(r.stderr).toContain(`these target tables are incomplete and must not be used: ${db}.t`);
    });
  });

  describe("bad input: exit code 2, a message naming the problem, nothing written", () => {
    const db = freshDatabaseName("bad");
    beforeAll(() => seed(db, "CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1);"));
    afterEach(async () => expect(await targetHas(db)).toBe(false));

    it.each([
      ["a malformed URL", ["--source", "mysql//nohost", "--target", "x"], /source: expected a URL like mysql:\/\/user:password@host:3306/],
      ["an unknown scheme", ["--source", "postgres://u@h:1"], /source: unsupported scheme "postgres"/],
      ["an unknown flag", ["--sourec", "x"], /unknown option '--sourec'/],
      ["no selection", ["--include"], /argument missing|option '--include <pattern>' argument missing/],
      ["a bad thread count", ["--threads", "many"], /threads: /],
      ["a bad capacity", ["--target-capacity", "lots"], /targetCapacity: "lots" is not a size/],
      ["a bad on-existing policy", ["--on-existing", "merge"], /Allowed choices are fail, drop, truncate, append/],
      ["a pattern with three parts", ["--include", "a.b.c"], /include\[1\]: "a.b.c" has 3 parts/],
      ["a rename that is not old=new", ["--rename", "abc"], /rename\[0\]: "abc" is not old=new/],
    ])("%s", async (_name, extra, message) => {
      const args = ["migrate", ...base(db)];
      for (let i = 0; i < extra.length; i += 2) {
        const at = args.indexOf(extra[i]);
        if (at >= 0 && extra[i] !== "--include") args.splice(at, 2, extra[i], extra[i + 1]);
        else args.push(...extra.slice(i, i + 2).filter((x) => x !== undefined));
      }
      const r = await runCli(args, env);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
    });

    it("a wrong password", async () => {
      const r = await runCli(["migrate", ...base(db)], { ...env, TARGET_PASSWORD: "wrong-pass-123" });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/target connection: target mysql:\/\/admin@127.0.0.1:\d+: access denied for user "admin": check the password/);
      expect(r.stderr).not.toContain("wrong-pass-123");
    });

    it("a password in the URL, percent-encoded, works and is never printed", async () => {
      const { source: s } = servers();
      const r = await runCli(["precheck", "--source", `mysql://admin:${encodeURIComponent(s.adminPassword)}@127.0.0.1:${s.port}`, "--target", target, "--include", db], {
        TARGET_PASSWORD: env.TARGET_PASSWORD,
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("precheck passed");
    });

    it("an unreachable host", async () => {
      const r = await runCli(["migrate", "--source", source, "--target", "mysql://admin@127.0.0.1:1", "--include", db], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/target connection: .*cannot reach the server \(ECONNREFUSED\): check the host and port/);
    });

    it("TLS required but the server offers none", async () => {
      const r = await runCli(["migrate", "--source", `${source}?ssl-mode=required`, "--target", target, "--include", db], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/source connection: .*TLS failed .*does not offer TLS/);
    });

    it("a selected object that does not exist", async () => {
      const r = await runCli(["migrate", "--source", source, "--target", target, "--include", `${db}.nope`, "--include", "no_such_db_x"], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`table ${db}.nope does not exist; database no_such_db_x does not exist`);
    });

    it("a rename collision names both sources", async () => {
      const other = freshDatabaseName("bad2");
      await seed(other, "CREATE TABLE u (id INT PRIMARY KEY);");
      const r = await runCli(
        ["migrate", "--source", source, "--target", target, "--include", db, "--include", other, "--rename", `${other}.u=${db}.t`],
        env,
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`${db}.t and ${other}.u would both become ${db}.t|${other}.u and ${db}.t would both become ${db}.t`));
      await dropDatabases(servers().source, other);
    });

    it("too little target capacity", async () => {
      const r = await runCli(["migrate", ...base(db), "--target-capacity", "1K"], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/target capacity: the selected tables take .* more than the target's/);
    });

    it("a source account that cannot read a selected table", async () => {
      const pw = "Reader-pass-1";
      await withAdmin(servers().source, async (c) => {
        await c.query(`CREATE USER IF NOT EXISTS 'reader'@'%' IDENTIFIED BY '${pw}'`);
        await c.query(`GRANT SELECT ON ${q(db)}.\`nothing\` TO 'reader'@'%'`).catch(() => undefined);
        await c.query(`GRANT SHOW DATABASES ON *.* TO 'reader'@'%'`);
      });
      const { source: s } = servers();
      const r = await runCli(["migrate", "--source", `mysql://reader@127.0.0.1:${s.port}`, "--target", target, "--include", db], { ...env, SOURCE_PASSWORD: pw });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/database .* does not exist|source read access/);
    });

    it("a target account without CREATE", async () => {
      const pw = "Limited-pass-1";
      await withAdmin(servers().target, async (c) => {
        await c.query(`CREATE USER IF NOT EXISTS 'limited'@'%' IDENTIFIED BY '${pw}'`);
        await c.query(`GRANT SELECT, INSERT ON *.* TO 'limited'@'%'`);
      });
      const { target: t } = servers();
      const r = await runCli(["migrate", "--source", source, "--target", `mysql://limited@127.0.0.1:${t.port}`, "--include", db], { ...env, TARGET_PASSWORD: pw });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`target privileges: database ${db} does not exist and cannot be created (needs CREATE)`);
      expect(r.stderr).toContain(`${db}.t: missing CREATE, ALTER`);
    });
  });

  it("prints progress lines with rows/s and MB/s when stderr is not a terminal", async () => {
    const db = freshDatabaseName("prog");
    await seed(db, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(50)); INSERT INTO t SELECT seq, REPEAT('x', 40) FROM seq_1_to_20000;");
    const r = await runCli(["migrate", ...base(db)], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\[data\] tables \d+\/1, rows \d+\/~\d+, \d+ rows\/s, [\d.]+ MB\/s, ETA/);
    expect(r.stdout).toContain("1 tables, 20000 rows");
  });

  it("verify names the table and key range that differ, and exits 1", async () => {
    const db = freshDatabaseName("verify");
    await seed(db, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO t SELECT seq, CONCAT('v', seq) FROM seq_1_to_5000; ANALYZE TABLE t;");
    const first = await runCli(["migrate", ...base(db), "--no-progress"], env);
    expect(first.code).toBe(0);
    expect((await runCli(["verify", ...base(db)], env)).stdout).toContain("verified: every table equal");
    await withAdmin(servers().target, (c) => c.query(`UPDATE ${q(db)}.t SET v = 'changed' WHERE id = 2500`));
    const r = await runCli(["verify", ...base(db), "--chunk-size", "1"], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`\\[DIFF\\] ${db}\\.t -> ${db}\\.t: 5000 / 5000 rows`));
    expect(r.stdout).toMatch(/\(id\) >= \(\d+\) and \(id\) < \(\d+\): source \d+ rows, target \d+ rows, different content/);
    expect(r.stdout).toContain("MISMATCH");
  });

  it("prints no password, even from a run that fails after connecting", async () => {
    const db = freshDatabaseName("secret");
    await seed(db, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO t VALUES (1, 'toolong');");
    await withAdmin(servers().target, async (c) => {
      await c.query(`CREATE DATABASE ${q(db)}`);
      await c.query(`CREATE TABLE ${q(db)}.t (id INT PRIMARY KEY, v CHAR(2))`);
    });
    const { source: s, target: t } = servers();
    const url = (x: typeof s) => `mysql://${x.adminUser}:${encodeURIComponent(x.adminPassword)}@127.0.0.1:${x.port}`;
    // runCli itself fails the test if a password appears anywhere in stdout or stderr.
    const r = await runCli(["migrate", "--source", url(s), "--target", url(t), "--include", db, "--on-existing", "append"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/data phase failed on .*\.t: .*warning/);
  });

  it("--help works without a server", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("precheck");
    expect(r.stdout).toContain("migrate");
  });
});

/**
 * Views, triggers, routines and events: present on the target, SHOW CREATE equal apart from the
 * DEFINER policy and renames, triggers not firing during the copy, events disabled.
 */
import type { Connection } from "mysql2/promise";
import { migrate, PrecheckFailedError } from "../migrator";
import { checksums, dropDatabases, withAdmin } from "./support/compare";
import { LocalServer } from "./support/mariadb";
import { freshDatabaseName, servers } from "./support/servers";

const q = (s: string) => "`" + s.replace(/`/g, "``") + "`";

/** Objects created under a non-default sql_mode, by another DEFINER, with awkward names and bodies. */
async function seedApp(db: string): Promise<void> {
  await withAdmin(servers().source, async (c) => {
    await c.query("CREATE USER IF NOT EXISTS 'app_owner'@'%' IDENTIFIED BY 'Owner-pass-1'");
    await c.query(`CREATE DATABASE ${q(db)} CHARACTER SET utf8mb4`);
    await c.query(`GRANT ALL PRIVILEGES ON ${q(db)}.* TO 'app_owner'@'%'`);
    await c.query(`USE ${q(db)}`);
    await c.query(`
      CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50), price DECIMAL(10,2));
      CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, item_id INT, note VARCHAR(100));
      INSERT INTO items VALUES (1, 'tea', 3.50), (2, 'cup', 7.25), (3, 'pot', 20.00);`);
    await c.query("SET SESSION sql_mode = 'ANSI_QUOTES,PIPES_AS_CONCAT,NO_ENGINE_SUBSTITUTION'");
    await c.query(`CREATE DEFINER='app_owner'@'%' TRIGGER "trg \`x\` ""y"" ins" AFTER INSERT ON items FOR EACH ROW
        INSERT INTO audit (item_id, note) VALUES (NEW.id, 'added: ' || NEW.name)`);
    // The copy must not fire it: audit's rows on the target must equal the source's.
    await c.query("INSERT INTO items VALUES (4, 'spoon', 1.10)");
    await c.query(`CREATE DEFINER='app_owner'@'%' FUNCTION fmt_price(p DECIMAL(10,2)) RETURNS VARCHAR(20) DETERMINISTIC
        RETURN 'CNY ' || p`);
    await c.query(`CREATE DEFINER='app_owner'@'%' PROCEDURE "add item"(IN i INT, IN n VARCHAR(50))
        BEGIN
          -- a comment; with a semicolon
          /* and a block comment; too */
          INSERT INTO items VALUES (i, n, 0); SELECT 'héllo 😀; done' AS msg;
        END`);
    await c.query("SET SESSION sql_mode = DEFAULT");
    await c.query(`CREATE DEFINER=\`app_owner\`@\`%\` SQL SECURITY DEFINER VIEW v_items AS SELECT id, name, price FROM items WHERE price > 2`);
    await c.query(`CREATE VIEW \`my view\` AS SELECT v.id, v.name, fmt_price(v.price) AS label FROM v_items v`);
    await c.query(`CREATE VIEW \`a_top\` AS SELECT COUNT(*) AS n FROM \`my view\``);
    await c.query("SET SESSION time_zone = '+08:00'");
    await c.query(`CREATE DEFINER='app_owner'@'%' EVENT nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 02:00:00'
        ON COMPLETION PRESERVE ENABLE COMMENT 'cleanup' DO DELETE FROM audit WHERE id < 0`);
  });
}

type Shown = Record<string, string>;

/** SHOW CREATE of every view, trigger, routine and event in a database, keyed by kind and name. */
async function objectDefinitions(server: LocalServer, db: string): Promise<Shown> {
  return withAdmin(server, async (c: Connection) => {
    const out: Shown = {};
    const list = async (sql: string) => (await c.query(sql, [db]))[0] as { k: string; n: string }[];
    const rows = [
      ...(await list("SELECT 'VIEW' AS k, TABLE_NAME AS n FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?")),
      ...(await list("SELECT 'TRIGGER' AS k, TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?")),
      ...(await list("SELECT ROUTINE_TYPE AS k, ROUTINE_NAME AS n FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?")),
      ...(await list("SELECT 'EVENT' AS k, EVENT_NAME AS n FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?")),
    ];
    for (const r of rows) {
      const [[row]] = (await c.query(`SHOW CREATE ${r.k} ${q(db)}.${q(r.n)}`)) as unknown as [Record<string, string>[]];
      const { Created: _created, "Database Collation": _dbc, ...rest } = row;
      out[`${r.k} ${r.n}`] = JSON.stringify(rest);
    }
    return out;
  });
}

const asAdmin = (s: string) => s.replace(/`app_owner`@`%`/g, "`admin`@`%`").replace(/\\"app_owner\\"@\\"%\\"/g, '\\"admin\\"@\\"%\\"');

describe("views, triggers, routines and events", () => {
  const { source, target } = servers();
  const db = freshDatabaseName("app");
  beforeAll(() => seedApp(db));

  it("migrates every object with its exact definition; DEFINER becomes the migration account", async () => {
    const report = await migrate({ source: source.url, target: target.url, include: [db], events: true });
    expect(report.verified).toBe(true);
    const src = await objectDefinitions(source, db);
    const dst = await objectDefinitions(target, db);
    expect(Object.keys(dst).sort()).toEqual(["EVENT nightly", "FUNCTION fmt_price", "PROCEDURE add item", "TRIGGER trg `x` \"y\" ins", "VIEW a_top", "VIEW my view", "VIEW v_items"]);
    for (const k of Object.keys(src)) {
      const expected = k === "EVENT nightly" ? asAdmin(src[k]).replace("PRESERVE ENABLE", "PRESERVE DISABLE") : asAdmin(src[k]);
      expect([k, dst[k]]).toEqual([k, expected]);
    }
    // Tables equal, the log table not doubled by the trigger.
    expect(await checksums(target, db)).toEqual(await checksums(source, db));
    const byName = Object.fromEntries(report.objects.map((o) => [o.source.split(".")[1], o]));
    expect(byName.v_items.changes).toEqual(["DEFINER `app_owner`@`%` -> `admin`@`%`"]);
    expect(byName.nightly.enable).toBe(`ALTER EVENT \`${db}\`.\`nightly\` ENABLE`);
    expect(report.objects.every((o) => o.status === "verified")).toBe(true);
    // The trigger works on the target.
    await withAdmin(target, async (c) => {
      await c.query(`INSERT INTO ${q(db)}.items VALUES (9, 'lid', 2.00)`);
      const [rows] = await c.query(`SELECT note FROM ${q(db)}.audit WHERE item_id = 9`);
      expect(rows).toEqual([{ note: "added: lid" }]);
    });
  });

  it("invoker makes views and routines SQL SECURITY INVOKER, and a renamed database is rewritten inside views", async () => {
    const to = `${db}_inv`;
    const report = await migrate({ source: source.url, target: target.url, include: [db], rename: [`${db}=${to}`], definer: "invoker" });
    expect(report.verified).toBe(true);
    const dst = await objectDefinitions(target, to);
    expect(dst["VIEW v_items"]).toContain("SQL SECURITY INVOKER");
    expect(dst["VIEW my view"]).toContain(`from \`${to}\`.\`v_items\` \`v\``);
    expect(dst["VIEW my view"]).not.toContain(`\`${db}\`.`);
    expect(dst["FUNCTION fmt_price"]).toContain("SQL SECURITY INVOKER");
    expect(dst["PROCEDURE add item"]).toContain("SQL SECURITY INVOKER");
    expect(Object.keys(dst)).not.toContain("EVENT nightly"); // events are off by default
    expect(report.objects.find((o) => o.kind === "function")!.changes).toContain("SQL SECURITY DEFINER -> INVOKER");
    await withAdmin(target, async (c) => {
      const [rows] = await c.query(`SELECT * FROM ${q(to)}.\`a_top\``);
      expect(rows).toEqual([{ n: "3" }]);
    });
  });

  it("keep leaves DEFINER as it was when the target account may set it", async () => {
    const to = `${db}_keep`;
    await withAdmin(target, async (c) => {
      await c.query("CREATE USER IF NOT EXISTS 'app_owner'@'%' IDENTIFIED BY 'Owner-pass-1'");
      await c.query(`GRANT ALL PRIVILEGES ON ${q(to)}.* TO 'app_owner'@'%'`);
    });
    const report = await migrate({ source: source.url, target: target.url, include: [db], rename: [`${db}=${to}`], definer: "keep" });
    expect(report.objects.every((o) => o.changes.length === 0)).toBe(true);
    const dst = await objectDefinitions(target, to);
    expect(dst["VIEW v_items"]).toContain("DEFINER=`app_owner`@`%`");
  });

  it("keep fails the precheck, naming the objects, when the target account may not set another DEFINER", async () => {
    const pw = "Limited-pass-2";
    const to = `${db}_lim`;
    await withAdmin(target, async (c) => {
      await c.query(`CREATE USER IF NOT EXISTS 'objlimited'@'%' IDENTIFIED BY '${pw}'`);
      await c.query(`GRANT ALL PRIVILEGES ON ${q(to)}.* TO 'objlimited'@'%'`);
    });
    const run = migrate({
      source: source.url,
      target: { host: "127.0.0.1", port: target.port, user: "objlimited", password: pw },
      include: [db],
      rename: [`${db}=${to}`],
      definer: "keep",
    });
    await expect(run).rejects.toThrow(PrecheckFailedError);
    await expect(run).rejects.toThrow(/--definer keep needs SUPER .* view .*v_items \(DEFINER `app_owner`@`%`\)/);
  });

  it("each kind can be switched off", async () => {
    const to = `${db}_none`;
    const report = await migrate({ source: source.url, target: target.url, include: [db], rename: [`${db}=${to}`], views: false, triggers: false, routines: false });
    expect(report.objects).toEqual([]);
    expect(await objectDefinitions(target, to)).toEqual({});
  });

  it("a view on a table that is not selected fails the precheck, naming what it needs", async () => {
    const run = migrate({ source: source.url, target: target.url, include: [`${db}.v_items`] });
    await expect(run).rejects.toThrow(new RegExp(`view ${db}\\.v_items reads ${db}\\.items, which is not selected`));
  });

  it("says which objects need a person when a renamed table is named without its database", async () => {
    const to = `${db}_ren`;
    const report = await migrate({ source: source.url, target: target.url, include: [db], rename: [`${db}=${to}`, `${db}.audit=${to}.audit_log`] });
    expect(report.warnings.join("\n")).toMatch(new RegExp(`renames inside objects: trigger ${db}\\.\`trg \`\`x\`\` "y" ins\` mentions audit \\(renamed to ${to}\\.audit_log\\)`));
    expect(report.warnings.join("\n")).toMatch(/procedure .*add item.* mentions items|mentions audit/);
  });

  afterAll(() => dropDatabases(source, "unused_" + db));
});

/** Comparing source and target the way a user checks a copy: CHECKSUM TABLE, row counts, SHOW CREATE TABLE. */
import type { Connection } from "mysql2/promise";
import { adminConnection, LocalServer } from "./mariadb";

export async function withAdmin<T>(server: LocalServer, fn: (c: Connection) => Promise<T>): Promise<T> {
  const c = await adminConnection(server);
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function tableNames(c: Connection, db: string): Promise<string[]> {
  const [rows] = await c.query(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
    [db],
  );
  return (rows as { t: string }[]).map((r) => r.t);
}

const q = (s: string) => "`" + s.replace(/`/g, "``") + "`";

/** CHECKSUM TABLE ... EXTENDED of each table of a database, by table name. */
export async function checksums(server: LocalServer, db: string): Promise<Record<string, string>> {
  return withAdmin(server, async (c) => {
    const out: Record<string, string> = {};
    for (const t of await tableNames(c, db)) {
      const [rows] = await c.query(`CHECKSUM TABLE ${q(db)}.${q(t)} EXTENDED`);
      out[t] = String((rows as { Checksum: string }[])[0].Checksum);
    }
    return out;
  });
}

export async function rowCounts(server: LocalServer, db: string): Promise<Record<string, number>> {
  return withAdmin(server, async (c) => {
    const out: Record<string, number> = {};
    for (const t of await tableNames(c, db)) {
      const [rows] = await c.query(`SELECT COUNT(*) AS n FROM ${q(db)}.${q(t)}`);
      out[t] = Number((rows as { n: string }[])[0].n);
    }
    return out;
  });
}

/** SHOW CREATE TABLE of each table, by table name. */
export async function showCreates(server: LocalServer, db: string): Promise<Record<string, string>> {
  return withAdmin(server, async (c) => {
    const out: Record<string, string> = {};
    for (const t of await tableNames(c, db)) {
      const [rows] = await c.query(`SHOW CREATE TABLE ${q(db)}.${q(t)}`);
      out[t] = (rows as Record<string, string>[])[0]["Create Table"];
    }
    return out;
  });
}

export async function dropDatabases(server: LocalServer, ...dbs: string[]): Promise<void> {
  await withAdmin(server, async (c) => {
    for (const db of dbs) await c.query(`DROP DATABASE IF EXISTS ${q(db)}`);
  });
}

/** Reads what the engine needs to know about source tables from information_schema. */
import type { Connection } from "mysql2/promise";
import { queryRows } from "./connect";

export interface DatabaseInfo {
  name: string;
  characterSet: string;
  collation: string;
}

export interface ColumnInfo {
  name: string;
  /** information_schema DATA_TYPE, lower case: `int`, `json`, `geometry`, ... */
  dataType: string;
  generated: boolean;
}

export interface ForeignKey {
  name: string;
  columns: string[];
  refDb: string;
  refTable: string;
  refColumns: string[];
  onUpdate: string;
  onDelete: string;
}

export interface TableInfo {
  db: string;
  name: string;
  engine: string;
  rowsEstimate: number;
  dataLength: number;
  indexLength: number;
  columns: ColumnInfo[];
  /** Columns of the primary key, or of a unique key on NOT NULL columns; empty when none. */
  key: string[];
  foreignKeys: ForeignKey[];
}

export async function listDatabases(conn: Connection): Promise<DatabaseInfo[]> {
  const rows = await queryRows<{ n: string; cs: string; co: string }>(
    conn,
    "SELECT SCHEMA_NAME AS n, DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA",
  );
  return rows.map((r) => ({ name: r.n, characterSet: r.cs, collation: r.co }));
}

/** Base tables (not views) of the given databases with sizes only; columns and keys come later. */
export async function listTables(conn: Connection, dbs: string[]): Promise<TableInfo[]> {
  if (dbs.length === 0) return [];
  const rows = await queryRows<{ db: string; n: string; e: string | null; r: string | null; d: string | null; i: string | null }>(
    conn,
    `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS n, ENGINE AS e, TABLE_ROWS AS r, DATA_LENGTH AS d, INDEX_LENGTH AS i
       FROM information_schema.TABLES
      WHERE TABLE_SCHEMA IN (?) AND TABLE_TYPE = 'BASE TABLE'
      ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    [dbs],
  );
  return rows.map((r) => ({
    db: r.db,
    name: r.n,
    engine: r.e ?? "",
    rowsEstimate: Number(r.r ?? 0),
    dataLength: Number(r.d ?? 0),
    indexLength: Number(r.i ?? 0),
    columns: [],
    key: [],
    foreignKeys: [],
  }));
}

const key = (db: string, table: string) => `${db}\u0000${table}`;

/** Fills columns, copy key and foreign keys of the given tables (in place). */
export async function describeTables(conn: Connection, tables: TableInfo[]): Promise<void> {
  if (tables.length === 0) return;
  const byKey = new Map(tables.map((t) => [key(t.db, t.name), t]));
  const dbs = [...new Set(tables.map((t) => t.db))];
  const cols = await queryRows<{ db: string; t: string; c: string; dt: string; x: string | null }>(
    conn,
    `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS t, COLUMN_NAME AS c, LOWER(DATA_TYPE) AS dt, EXTRA AS x
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN (?) ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
    [dbs],
  );
  for (const c of cols) {
    byKey.get(key(c.db, c.t))?.columns.push({
      name: c.c,
      dataType: c.dt,
      // MySQL also reports DEFAULT_GENERATED for expression defaults: those are ordinary columns.
      generated: /\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b/i.test(c.x ?? ""),
    });
  }
  const idx = await queryRows<{ db: string; t: string; k: string; c: string; nullable: string }>(
    conn,
    `SELECT s.TABLE_SCHEMA AS db, s.TABLE_NAME AS t, s.INDEX_NAME AS k, s.COLUMN_NAME AS c, s.NULLABLE AS nullable
       FROM information_schema.STATISTICS s
      WHERE s.TABLE_SCHEMA IN (?) AND s.NON_UNIQUE = 0
      ORDER BY s.TABLE_SCHEMA, s.TABLE_NAME, s.INDEX_NAME = 'PRIMARY' DESC, s.INDEX_NAME, s.SEQ_IN_INDEX`,
    [dbs],
  );
  // Per table: the primary key, else the first unique key whose columns are all NOT NULL and not prefixes.
  const uniques = new Map<string, Map<string, { cols: string[]; ok: boolean }>>();
  for (const r of idx) {
    const tk = key(r.db, r.t);
    if (!uniques.has(tk)) uniques.set(tk, new Map());
    const m = uniques.get(tk)!;
    if (!m.has(r.k)) m.set(r.k, { cols: [], ok: true });
    const u = m.get(r.k)!;
    if (r.c === null || r.nullable === "YES") u.ok = false; // functional key part or NULLs allowed
    else u.cols.push(r.c);
  }
  for (const [tk, m] of uniques) {
    const t = byKey.get(tk);
    if (!t) continue;
    for (const u of m.values()) {
      if (u.ok && u.cols.length > 0) {
        t.key = u.cols;
        break;
      }
    }
  }
  const fks = await queryRows<{
    db: string; t: string; n: string; c: string; rdb: string; rt: string; rc: string; ur: string; dr: string;
  }>(
    conn,
    `SELECT k.TABLE_SCHEMA AS db, k.TABLE_NAME AS t, k.CONSTRAINT_NAME AS n, k.COLUMN_NAME AS c,
            k.REFERENCED_TABLE_SCHEMA AS rdb, k.REFERENCED_TABLE_NAME AS rt, k.REFERENCED_COLUMN_NAME AS rc,
            r.UPDATE_RULE AS ur, r.DELETE_RULE AS dr
       FROM information_schema.KEY_COLUMN_USAGE k
       JOIN information_schema.REFERENTIAL_CONSTRAINTS r
         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
      WHERE k.TABLE_SCHEMA IN (?) AND k.REFERENCED_TABLE_NAME IS NOT NULL
      ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    [dbs],
  );
  for (const f of fks) {
    const t = byKey.get(key(f.db, f.t));
    if (!t) continue;
    let fk = t.foreignKeys.find((x) => x.name === f.n);
    if (!fk) {
      fk = { name: f.n, columns: [], refDb: f.rdb, refTable: f.rt, refColumns: [], onUpdate: f.ur, onDelete: f.dr };
      t.foreignKeys.push(fk);
    }
    fk.columns.push(f.c);
    fk.refColumns.push(f.rc);
  }
}

/**
 * The resume ledger: a small bookkeeping table of ours on the target, written in the same
 * transaction as each chunk's rows, so after a crash the target itself says exactly which key
 * ranges are there. It also keeps each table's chunk boundaries, so a rerun cuts the same ranges.
 * Dropped when the run completes.
 */
import { createHash } from "node:crypto";
import type { Connection } from "mysql2/promise";
import type { KeyValue } from "./chunker";
import { queryRows } from "./connect";
import { qualified } from "./quote";

export const LEDGER_TABLE = "_polardb_to_rds_ledger";

export type TableState = "creating" | "created";

export interface StoredBounds {
  lower?: KeyValue[];
  upper?: KeyValue[];
}

export interface LedgerTable {
  state: TableState;
  chunks: StoredBounds[];
}

/** What a previous run left on the target. */
export interface LedgerState {
  db: string;
  fingerprint: string;
  startedAt: string;
  tables: Map<string, LedgerTable>;
  doneChunks: Set<string>;
}

export function tableId(targetDb: string, targetTable: string): string {
  return createHash("sha1").update(`${targetDb}\u0000${targetTable}`).digest("hex");
}

export function chunkId(targetDb: string, targetTable: string, index: number): string {
  return `c:${tableId(targetDb, targetTable)}:${index}`;
}

// Buffers survive JSON as {"$hex": "..."}.
function encodeBounds(chunks: StoredBounds[]): string {
  return JSON.stringify(chunks, (_k, v: unknown) => {
    if (v && typeof v === "object" && (v as { type?: string }).type === "Buffer" && Array.isArray((v as { data?: unknown }).data)) {
      return { $hex: Buffer.from((v as { data: number[] }).data).toString("hex") };
    }
    return v;
  });
}

function decodeBounds(text: string): StoredBounds[] {
  return JSON.parse(text, (_k, v: unknown) =>
    v && typeof v === "object" && typeof (v as { $hex?: unknown }).$hex === "string" ? Buffer.from((v as { $hex: string }).$hex, "hex") : v,
  );
}

export class Ledger {
  private constructor(
    private conn: Connection,
    readonly db: string,
  ) {}

  /** Continues on another connection (after the old one was lost). */
  useConnection(conn: Connection): void {
    this.conn = conn;
  }

  private get table(): string {
    return qualified(this.db, LEDGER_TABLE);
  }

  /** Reads a previous run's ledger in `db`, if there is one. */
  static async read(conn: Connection, db: string): Promise<LedgerState | undefined> {
    const [exists] = await queryRows<{ n: string | number }>(
      conn,
      "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
      [db, LEDGER_TABLE],
    );
    if (Number(exists.n) === 0) return undefined;
    const rows = await queryRows<{ item: string; state: string; detail: string | null; updated: string }>(
      conn,
      `SELECT item, state, detail, updated FROM ${qualified(db, LEDGER_TABLE)}`,
    );
    const state: LedgerState = { db, fingerprint: "", startedAt: "", tables: new Map(), doneChunks: new Set() };
    for (const r of rows) {
      if (r.item === "run") {
        state.fingerprint = r.detail ?? "";
        state.startedAt = r.updated;
      } else if (r.item.startsWith("t:")) {
        state.tables.set(r.item.slice(2), { state: r.state as TableState, chunks: decodeBounds(r.detail ?? "[]") });
      } else if (r.item.startsWith("c:")) {
        state.doneChunks.add(r.item);
      }
    }
    return state;
  }

  /** Creates the ledger for a new run (replacing any old one). */
  static async start(conn: Connection, db: string, fingerprint: string): Promise<Ledger> {
    const l = new Ledger(conn, db);
    await conn.query(`DROP TABLE IF EXISTS ${l.table}`);
    await conn.query(
      `CREATE TABLE ${l.table} (
         item VARCHAR(100) CHARACTER SET ascii NOT NULL PRIMARY KEY,
         state VARCHAR(20) CHARACTER SET ascii NOT NULL,
         detail LONGTEXT CHARACTER SET utf8mb4 NULL,
         updated TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
       ) ENGINE=InnoDB COMMENT='polardb-to-rds resume bookkeeping; dropped when the migration completes'`,
    );
    await conn.query(`INSERT INTO ${l.table} (item, state, detail) VALUES ('run', 'running', ?)`, [fingerprint]);
    return l;
  }

  /** Continues a previous run's ledger. */
  static resume(conn: Connection, db: string): Ledger {
    return new Ledger(conn, db);
  }

  async setTable(targetDb: string, targetTable: string, state: TableState, chunks: StoredBounds[]): Promise<void> {
    await this.conn.query(`REPLACE INTO ${this.table} (item, state, detail) VALUES (?, ?, ?)`, [
      `t:${tableId(targetDb, targetTable)}`,
      state,
      encodeBounds(chunks),
    ]);
  }

  /** The statement recording a finished chunk; run it in the chunk's own transaction. */
  chunkDone(targetDb: string, targetTable: string, index: number, rows: number): { sql: string; values: unknown[] } {
    return {
      sql: `REPLACE INTO ${this.table} (item, state, detail) VALUES (?, 'done', ?)`,
      values: [chunkId(targetDb, targetTable, index), String(rows)],
    };
  }

  async drop(): Promise<void> {
    await this.conn.query(`DROP TABLE IF EXISTS ${this.table}`);
  }
}

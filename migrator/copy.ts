/**
 * Full data migration of one table: rows streamed from the source as raw bytes (no JS Date,
 * Number or re-encoding), in key order, written to the target with LOAD DATA LOCAL INFILE.
 * Memory is bounded by socket buffers (see pump.ts), never by the table. Every statement must
 * load every row without a warning.
 */
import { Readable, Writable } from "node:stream";
import type { Connection } from "mysql2/promise";
import type { Connection as CoreConnection } from "mysql2";
import type { ColumnInfo } from "./catalog";
import { queryRows } from "./connect";
import { Chunk, chunkCondition } from "./chunker";
import type { PlanTable } from "./plan";
import { qualified, quoteId } from "./quote";
import { RowPump } from "./pump";
import { TSV_LOAD_FORMAT } from "./tsv";

export interface CopyResult {
  rows: number;
  bytes: number;
}

export function copiedColumns(t: PlanTable): ColumnInfo[] {
  return t.info.columns.filter((c) => !c.generated);
}

/**
 * FLOAT is printed with 6 significant digits, which does not round-trip; widened to DOUBLE it is
 * printed exactly (every float is a double) and stored back as the same float.
 */
function selectExpression(c: ColumnInfo): string {
  return c.dataType === "float" ? `${quoteId(c.name)} * 1e0` : quoteId(c.name);
}

/** The chunk's rows in key order, every column as the server stores it. */
export function selectStatement(chunk: Chunk): { sql: string; params: unknown[] } {
  const t = chunk.table;
  const cols = copiedColumns(t).map(selectExpression);
  const order = t.info.key.length ? ` ORDER BY ${t.info.key.map(quoteId).join(", ")}` : "";
  const where = chunkCondition(chunk);
  return {
    sql: `SELECT ${cols.join(", ")} FROM ${qualified(t.sourceDb, t.sourceTable)}${where.sql ? ` WHERE ${where.sql}` : ""}${order}`,
    params: where.params,
  };
}

export function loadStatement(t: PlanTable): string {
  const targets: string[] = [];
  const sets: string[] = [];
  copiedColumns(t).forEach((c, i) => {
    // MySQL's JSON type refuses binary strings (error 3144): load it through a variable.
    if (c.dataType === "json") {
      targets.push(`@v${i}`);
      sets.push(`${quoteId(c.name)} = CONVERT(@v${i} USING utf8mb4)`);
    } else targets.push(quoteId(c.name));
  });
  return (
    `LOAD DATA LOCAL INFILE 'polardb-to-rds.tsv' INTO TABLE ${qualified(t.targetDb, t.targetTable)} ${TSV_LOAD_FORMAT}` +
    ` (${targets.join(", ")})${sets.length ? ` SET ${sets.join(", ")}` : ""}`
  );
}

function coreOf(conn: Connection): CoreConnection {
  return (conn as unknown as { connection: CoreConnection }).connection;
}

/** Source session: column bytes exactly as stored, no conversion to the connection's character set. */
export async function prepareSourceSession(conn: Connection): Promise<void> {
  await conn.query("SET SESSION character_set_results = binary, SESSION net_write_timeout = 600");
}

/**
 * Copies one chunk. A transactional chunk (a key range) is wholly there or not at all, loaded by
 * one LOAD DATA statement (InnoDB's bulk path likes one statement into an empty table); a table
 * without a key may commit in batches of `batchBytes` (one huge transaction would stall the
 * target's binlog and standby), and is then reloaded from empty after a failure.
 */
export async function copyChunk(
  src: Connection,
  tgt: Connection,
  chunk: Chunk,
  batchBytes: number,
  onProgress: (rows: number, bytes: number) => void,
  isAborted: () => boolean,
  opts: { transactional: boolean; finish?: (rows: number) => { sql: string; values: unknown[] } },
): Promise<CopyResult> {
  const t = chunk.table;
  const core = coreOf(src);
  const { transactional, finish } = opts;
  const socket = (core as unknown as { stream: Readable }).stream;
  if ((core as unknown as { _fatalError?: unknown })._fatalError || socket.destroyed) {
    // Lost while idle between chunks (e.g. KILL): mysql2 would report it nowhere we listen.
    throw Object.assign(new Error("the source connection was lost"), { code: "PROTOCOL_CONNECTION_LOST" });
  }
  const select = selectStatement(chunk);
  const query = core.query({ sql: select.sql, values: select.params, rowsAsArray: true, typeCast: false });
  const pump = new RowPump(core, query, (coreOf(tgt) as unknown as { stream: Writable }).stream, onProgress);
  const load = loadStatement(t);
  const limit = transactional ? Infinity : batchBytes;
  const result: CopyResult = { rows: 0, bytes: 0 };
  let completed = false;
  if (transactional) await tgt.query("START TRANSACTION");
  try {
    while (!pump.finished) {
      if (isAborted()) throw new Error("stopped because another chunk failed");
      const data = pump.nextBatch(limit);
      let res: unknown;
      try {
        [res] = await tgt.query({ sql: load, infileStreamFactory: () => data });
      } catch (e) {
        pump.check(); // a lost source explains a failed load better than the load's own error
        throw e;
      }
      pump.check();
      const batch = pump.last;
      const header = res as { affectedRows: number; warningStatus: number };
      if (header.warningStatus > 0) {
        const warnings = await queryRows<{ Level: string; Code: number; Message: string }>(tgt, "SHOW WARNINGS LIMIT 5");
        throw new Error(
          `the target reported ${header.warningStatus} warning(s) while loading rows ${result.rows + 1}-${result.rows + batch.rows}: ` +
            warnings.map((w) => `${w.Level} ${w.Code}: ${w.Message}`).join("; "),
        );
      }
      if (header.affectedRows !== batch.rows) {
        throw new Error(
          `the target stored ${header.affectedRows} of ${batch.rows} rows (rows ${result.rows + 1}-${result.rows + batch.rows}); rows with duplicate keys are not loaded`,
        );
      }
      result.rows += batch.rows;
      result.bytes += batch.bytes;
    }
    // The ledger row commits with the chunk's rows: after a crash the target says what is there.
    if (finish) {
      const f = finish(result.rows);
      await tgt.query(f.sql, f.values);
    }
    if (transactional) await tgt.query("COMMIT");
    completed = true;
  } catch (e) {
    if (transactional) await tgt.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    pump.close();
    // A SELECT stopped half-way cannot be drained cheaply: drop its connection.
    if (!completed) core.destroy();
  }
  return result;
}

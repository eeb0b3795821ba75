/**
 * Full data migration of one table: rows streamed from the source as raw bytes (no JS Date,
 * Number or re-encoding), in key order, written to the target with LOAD DATA LOCAL INFILE in
 * batches of about `batchBytes`. Memory is bounded by the batch and the stream's high-water
 * mark, never by the table. Every batch must load every row without a warning.
 */
import { once } from "node:events";
import { Readable, Writable } from "node:stream";
import type { Connection } from "mysql2/promise";
import type { Connection as CoreConnection } from "mysql2";
import type { ColumnInfo } from "./catalog";
import { queryRows } from "./connect";
import { Chunk, chunkCondition, KeyValue } from "./chunker";
import type { PlanTable } from "./plan";
import { qualified, quoteId } from "./quote";
import { TSV_LOAD_FORMAT, TsvWriter } from "./tsv";

type RawRow = Array<Buffer | null>;

/** Chunks handed to mysql2 stay well below the 16 MB protocol packet limit. */
const STREAM_CHUNK = 256 * 1024;

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
export function selectStatement(chunk: Chunk): { sql: string; params: KeyValue[] } {
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
 * Copies one chunk. A transactional chunk (a key range) is wholly there or not at all; a table
 * without a key may commit batch by batch (one huge transaction would stall the target's binlog
 * and standby), and is then reloaded from empty after a failure.
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
  // mysql2 writes LOAD DATA packets as fast as the stream yields them; waiting for the target
  // socket to drain keeps memory bounded when the target is slower than the source.
  const targetSocket = (coreOf(tgt) as unknown as { stream: Writable }).stream;
  const select = selectStatement(chunk);
  const socket = (core as unknown as { stream: Readable }).stream;
  if ((core as unknown as { _fatalError?: unknown })._fatalError || socket.destroyed) {
    // Lost while idle between chunks (e.g. KILL): mysql2 would report it nowhere we listen.
    throw Object.assign(new Error("the source connection was lost"), { code: "PROTOCOL_CONNECTION_LOST" });
  }
  const query = core.query({ sql: select.sql, values: select.params, rowsAsArray: true, typeCast: false });
  const rowStream = query.stream({ highWaterMark: 512 });
  const { transactional, finish } = opts;
  const iterator = rowStream[Symbol.asyncIterator]() as AsyncIterator<RawRow>;
  // mysql2 reports a lost connection (KILL, network) on the connection, not on a paused result
  // stream: without this race the copy would wait for the next row forever.
  let onLost: (e: unknown) => void = () => undefined;
  const lost = new Promise<never>((_resolve, reject) => (onLost = reject));
  lost.catch(() => undefined);
  const lostError = (e: unknown) => onLost(e);
  const closed = () => onLost(Object.assign(new Error("the source connection was closed"), { code: "PROTOCOL_CONNECTION_LOST" }));
  core.on("error", lostError);
  query.on("error", lostError);
  socket.on("close", closed);
  const rows = { next: () => Promise.race([iterator.next(), lost]) };
  const load = loadStatement(t);
  const result: CopyResult = { rows: 0, bytes: 0 };
  let next = await rows.next();
  if (transactional) await tgt.query("START TRANSACTION");
  try {
    while (!next.done) {
      if (isAborted()) throw new Error("stopped because another chunk failed");
      let batchRows = 0;
      let batchSize = 0;
      let shownRows = 0;
      let shownBytes = 0;
      const show = () => {
        onProgress(batchRows - shownRows, batchSize - shownBytes);
        shownRows = batchRows;
        shownBytes = batchSize;
      };
      const writer = new TsvWriter(STREAM_CHUNK * 2);
      // Pulls rows until the batch is full; `next` is left at the first row of the next batch.
      const chunks = async function* (): AsyncGenerator<Buffer> {
        while (!next.done) {
          const n = writer.writeRow(next.value);
          batchRows++;
          batchSize += n;
          if (writer.length >= STREAM_CHUNK) {
            show();
            if (targetSocket.writableNeedDrain) await once(targetSocket, "drain");
            yield writer.take();
          }
          next = await rows.next();
          if (batchSize >= batchBytes) break;
        }
        show();
        if (writer.length > 0) yield writer.take();
      };
      const [res] = await tgt.query({ sql: load, infileStreamFactory: () => Readable.from(chunks()) });
      const header = res as unknown as { affectedRows: number; warningStatus: number };
      if (header.warningStatus > 0) {
        const warnings = await queryRows<{ Level: string; Code: number; Message: string }>(tgt, "SHOW WARNINGS LIMIT 5");
        throw new Error(
          `the target reported ${header.warningStatus} warning(s) while loading rows ${result.rows + 1}-${result.rows + batchRows}: ` +
            warnings.map((w) => `${w.Level} ${w.Code}: ${w.Message}`).join("; "),
        );
      }
      if (header.affectedRows !== batchRows) {
        throw new Error(
          `the target stored ${header.affectedRows} of ${batchRows} rows (rows ${result.rows + 1}-${result.rows + batchRows}); rows with duplicate keys are not loaded`,
        );
      }
      result.rows += batchRows;
      result.bytes += batchSize;
    }
    // The ledger row commits with the chunk's rows: after a crash the target says what is there.
    if (finish) {
      const f = finish(result.rows);
      await tgt.query(f.sql, f.values);
    }
    if (transactional) await tgt.query("COMMIT");
  } catch (e) {
    if (transactional) await tgt.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    core.removeListener("error", lostError);
    socket.removeListener("close", closed);
    if (!next.done) {
      rowStream.destroy();
      // Drain the source result so the connection can be reused or closed cleanly.
      try {
        core.destroy();
      } catch {
        /* connection already gone */
      }
    }
  }
  return result;
}

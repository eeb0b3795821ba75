/**
 * The copy workers: chunks from a shared queue, biggest tables first (so workers share a big
 * table), each worker with its own snapshot reader and target connection. A transient failure
 * (lost or killed connection, deadlock, lock wait, target restart) reconnects and redoes the chunk;
 * the first permanent failure stops every worker.
 */
import type { Connection } from "mysql2/promise";
import { Chunk, describeChunk } from "./chunker";
import { closeQuietly, openConnection } from "./connect";
import { copyChunk } from "./copy";
import { MigrationError, redact, serverMessage } from "./errors";
import type { Ledger } from "./ledger";
import type { MigrateOptions } from "./options";
import { qualified } from "./quote";
import { withRetry } from "./retry";
import { newReader, Snapshot } from "./snapshot";
import type { TableReport } from "./types";

export interface TableProgress {
  report: TableReport;
  /** Chunks still to copy. */
  left: number;
  began: number;
  /** Whole-table chunk of a table without a key, committed batch by batch: reload from empty. */
  reloadFromEmpty: boolean;
  /** No-key table resumed or retried: empty it before copying. */
  mustEmpty: boolean;
  /** unique_checks may be off (a table we created, empty before the load). */
  fastLoad: boolean;
}

export interface CopyJob {
  chunk: Chunk;
  table: TableProgress;
}

export interface CopierContext {
  options: MigrateOptions;
  snapshot: Snapshot;
  ledger: Ledger;
  prepareTarget: (conn: Connection, fastLoad: boolean) => Promise<void>;
  onRows: (rows: number, bytes: number) => void;
  onTableDone: (t: TableProgress) => void;
  /** Things the report should mention (retries, snapshot lost on reconnect). */
  onNotice: (message: string) => void;
}

export async function copyChunks(ctx: CopierContext, jobs: CopyJob[]): Promise<void> {
  const { options } = ctx;
  const secrets = [options.source.password, options.target.password];
  const queue = [...jobs];
  const busy = new Map<TableProgress, number>();
  // A table no other worker is loading comes first: parallel loads into one table wait on each
  // other (MariaDB's bulk insert locks the table; AUTO_INCREMENT locks elsewhere). Two workers
  // share a table only when nothing else is left.
  const take = (): CopyJob | undefined => {
    const i = queue.findIndex((j) => !busy.get(j.table));
    return queue.splice(i >= 0 ? i : 0, 1)[0];
  };
  let failure: MigrationError | undefined;

  const worker = async (index: number) => {
    let src: Connection | undefined = ctx.snapshot.readers[index];
    let tgt: Connection | undefined;
    try {
      while (queue.length && !failure) {
        const job = take()!;
        const { chunk, table } = job;
        busy.set(table, (busy.get(table) ?? 0) + 1);
        const t = chunk.table;
        table.began ||= Date.now();
        let shown = { rows: 0, bytes: 0 };
        try {
          const res = await withRetry(
            { retries: options.retries, baseDelayMs: 500 },
            async () => {
              shown = { rows: 0, bytes: 0 };
              if (!src) {
                src = await newReader(options.source);
                if (ctx.snapshot.method !== "none") ctx.onNotice(`${describeChunk(chunk)} of ${table.report.source} was read on a new connection, after the common snapshot`);
              }
              tgt ??= await openConnection(options.target, "target");
              await ctx.prepareTarget(tgt, table.fastLoad);
              if (table.mustEmpty) {
                await tgt.query(`TRUNCATE TABLE ${qualified(t.targetDb, t.targetTable)}`);
                table.mustEmpty = false;
              }
              return copyChunk(
                src,
                tgt,
                chunk,
                options.batchBytes,
                (rows, bytes) => {
                  shown.rows += rows;
                  shown.bytes += bytes;
                  ctx.onRows(rows, bytes);
                },
                () => failure !== undefined,
                {
                  transactional: !table.reloadFromEmpty,
                  finish: (rows) => ctx.ledger.chunkDone(t.targetDb, t.targetTable, chunk.index, rows),
                },
              );
            },
            async (e, attempt, delay) => {
              ctx.onRows(-shown.rows, -shown.bytes);
              ctx.onNotice(
                `retry ${attempt}/${options.retries} of ${table.report.source} ${describeChunk(chunk)} in ${(delay / 1000).toFixed(1)} s after: ${redact(serverMessage(e), secrets)}`,
              );
              await closeQuietly(src);
              await closeQuietly(tgt);
              src = tgt = undefined;
              if (table.reloadFromEmpty) table.mustEmpty = true;
            },
          );
          table.report.rows += res.rows;
          table.report.bytes += res.bytes;
          if (--table.left === 0) {
            table.report.status = "copied";
            table.report.seconds = (Date.now() - table.began) / 1000;
            ctx.onTableDone(table);
          }
        } catch (e) {
          table.report.status = "failed";
          table.report.seconds = (Date.now() - table.began) / 1000;
          failure ??= new MigrationError("data", `${describeChunk(chunk)}: ${redact(serverMessage(e), secrets)}`, table.report.target);
          await closeQuietly(src);
          await closeQuietly(tgt);
          src = tgt = undefined;
        } finally {
          busy.set(table, busy.get(table)! - 1);
        }
      }
    } finally {
      await closeQuietly(src);
      await closeQuietly(tgt);
    }
  };
  await Promise.all(ctx.snapshot.readers.map((_r, i) => worker(i)));
  if (failure) throw failure;
}

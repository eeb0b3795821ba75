/** The phases in order: precheck -> schema -> data -> constraints -> verify. */
import type { Connection } from "mysql2/promise";
import { closeQuietly, openConnection, queryRows } from "./connect";
import { Chunk, describeChunk, planChunks } from "./chunker";
import { copyChunk, prepareSourceSession } from "./copy";
import { MigrationError, PrecheckFailedError, redact, serverMessage } from "./errors";
import { parseOptions, MigrateOptions } from "./options";
import type { PlanTable } from "./plan";
import { closeSession, runPrecheck, Session, tableKey } from "./precheck";
import { displayName, qualified } from "./quote";
import { createDatabase, foreignKeyStatement, indexStatements, TARGET_SQL_MODE, targetDefinition } from "./schema";
import { destinationOf } from "./plan";
import type { MigrationReport, PrecheckReport, Progress, ProgressListener, TableReport } from "./types";

function precheckReport(s: Session): PrecheckReport {
  const plan = s.plan;
  return {
    ok: s.items.every((i) => i.status !== "failed"),
    items: s.items,
    databases: plan?.databases ?? [],
    tables: (plan?.tables ?? []).map(({ sourceDb, sourceTable, targetDb, targetTable }) => ({ sourceDb, sourceTable, targetDb, targetTable })),
    sourceBytes: (plan?.tables ?? []).reduce((n, t) => n + t.info.dataLength + t.info.indexLength, 0),
  };
}

/** Runs the precheck alone. Throws InputError for bad options; failed items are in the report. */
export async function precheck(raw: unknown): Promise<PrecheckReport> {
  const options = parseOptions(raw);
  const s = await runPrecheck(options);
  try {
    return precheckReport(s);
  } finally {
    await closeSession(s);
  }
}

/** Target session for schema and data: accepts every stored value; checks off only where the source guarantees them. */
async function prepareTargetSession(conn: Connection, fastLoad: boolean): Promise<void> {
  await conn.query(`SET SESSION sql_mode = '${TARGET_SQL_MODE}', SESSION foreign_key_checks = 0, SESSION unique_checks = ${fastLoad ? 0 : 1}`);
}

/**
 * Precheck, schema, full data, foreign keys and row-count verification. Throws InputError for bad
 * options, PrecheckFailedError when an item failed (nothing written), MigrationError otherwise.
 */
export async function migrate(raw: unknown, onProgress: ProgressListener = () => undefined): Promise<MigrationReport> {
  const options = parseOptions(raw);
  const started = Date.now();
  const s = await runPrecheck(options);
  const tables: TableReport[] = (s.plan?.tables ?? []).map((t) => ({
    source: displayName(t.sourceDb, t.sourceTable),
    target: displayName(t.targetDb, t.targetTable),
    status: "not copied",
    rows: 0,
    chunks: 0,
    bytes: 0,
    seconds: 0,
  }));
  const secrets = [options.source.password, options.target.password];
  try {
    const pre = precheckReport(s);
    if (!pre.ok) throw new PrecheckFailedError(pre.items);
    const plan = s.plan!;
    const progress: Progress = {
      phase: "schema",
      tablesDone: 0,
      tablesTotal: plan.tables.length,
      rowsDone: 0,
      rowsTotal: plan.tables.reduce((n, t) => n + t.info.rowsEstimate, 0),
      bytesDone: 0,
      bytesTotal: plan.tables.reduce((n, t) => n + t.info.dataLength, 0),
    };
    const emit = (patch: Partial<Progress> = {}) => {
      Object.assign(progress, patch);
      onProgress({ ...progress });
    };
    emit();

    await runPhase("schema", secrets, tables, async () => {
      await prepareTargetSession(s.target!, false);
      for (const d of plan.databases) await createDatabase(s.target!, d);
      for (const t of plan.tables) {
        await createTargetTable(s, t).catch((e) => {
          throw new MigrationError("schema", redact(serverMessage(e), secrets), displayName(t.targetDb, t.targetTable), tables.map((x) => x.target));
        });
      }
    });

    emit({ phase: "data" });
    await copyAll(s, plan.tables, tables, (rows, bytes) => {
      progress.rowsDone += rows;
      progress.bytesDone += bytes;
      emit();
    }, () => emit({ tablesDone: progress.tablesDone + 1 }));

    emit({ phase: "indexes" });
    const created = plan.tables.filter((t) => !s.existing.has(tableKey(t.targetDb, t.targetTable)) || options.onExisting === "drop");
    await runPhase("indexes", secrets, tables, async () => {
      for (const t of created) {
        for (const sql of indexStatements(t.targetDb, t.targetTable, definitionOf(s, t).deferredIndexes)) {
          await s.target!.query(sql).catch((e) => {
            throw new MigrationError("indexes", redact(serverMessage(e), secrets), displayName(t.targetDb, t.targetTable));
          });
        }
      }
    });

    emit({ phase: "constraints" });
    await runPhase("constraints", secrets, tables, async () => {
      for (const t of created) {
        const sql = foreignKeyStatement(t.targetDb, t.targetTable, definitionOf(s, t).foreignKeys);
        if (sql) await s.target!.query(sql);
      }
    });

    emit({ phase: "verify" });
    const counts = await runPhase("verify", secrets, tables, () => compareRowCounts(s.source!, s.target!, plan.tables));
    const mismatched = counts.filter((c) => c.sourceRows !== c.targetRows);
    emit({ phase: "done" });
    const totals = {
      tables: tables.length,
      rows: tables.reduce((n, t) => n + t.rows, 0),
      bytes: tables.reduce((n, t) => n + t.bytes, 0),
      seconds: (Date.now() - started) / 1000,
    };
    if (mismatched.length && options.onExisting !== "append") {
      throw new MigrationError(
        "verify",
        mismatched.map((m) => `${m.target}: source ${m.sourceRows} rows, target ${m.targetRows}`).join("; "),
      );
    }
    return {
      ok: true,
      databases: plan.databases,
      tables,
      totals,
      warnings: s.items.filter((i) => i.status === "warning").map((i) => `${i.name}: ${i.reason}`),
      verified: mismatched.length === 0,
    };
  } finally {
    await closeSession(s);
  }
}

async function runPhase<T>(phase: MigrationError["phase"], secrets: (string | undefined)[], tables: TableReport[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof MigrationError || e instanceof PrecheckFailedError) throw e;
    throw new MigrationError(phase, redact(serverMessage(e), secrets), undefined, tables.filter((t) => t.status !== "copied").map((t) => t.target));
  }
}

async function createTargetTable(s: Session, t: PlanTable): Promise<void> {
  const target = s.target!;
  const exists = s.existing.has(tableKey(t.targetDb, t.targetTable));
  if (exists && s.options.onExisting === "truncate") {
    await target.query(`TRUNCATE TABLE ${qualified(t.targetDb, t.targetTable)}`);
    return;
  }
  if (exists && s.options.onExisting === "append") return;
  if (exists) await target.query(`DROP TABLE ${qualified(t.targetDb, t.targetTable)}`);
  await target.query(definitionOf(s, t).create);
}

function definitionOf(s: Session, t: PlanTable) {
  return targetDefinition(
    s.ddl.get(tableKey(t.sourceDb, t.sourceTable))!,
    { db: t.sourceDb, table: t.sourceTable },
    { db: t.targetDb, table: t.targetTable },
    (db, table) => destinationOf(s.options.rename, db, table),
    s.options.deferIndexes,
  );
}

/**
 * Copies every chunk with `threads` workers, biggest tables first, so two workers share a big
 * table; the first failure stops the others.
 */
async function copyAll(
  s: Session,
  planned: PlanTable[],
  reports: TableReport[],
  onRows: (rows: number, bytes: number) => void,
  onTableDone: () => void,
): Promise<void> {
  const { options } = s;
  const secrets = [options.source.password, options.target.password];
  const order = planned.map((t, i) => ({ t, r: reports[i] })).sort((a, b) => b.t.info.dataLength - a.t.info.dataLength);
  const queue: { chunk: Chunk; r: TableReport; state: { left: number; began: number } }[] = [];
  for (const { t, r } of order) {
    const chunks = await planChunks(s.source!, t, options.chunkBytes);
    const state = { left: chunks.length, began: 0 };
    r.chunks = chunks.length;
    for (const chunk of chunks) queue.push({ chunk, r, state });
  }
  let failure: MigrationError | undefined;
  const worker = async () => {
    let src: Connection | undefined;
    let tgt: Connection | undefined;
    try {
      while (queue.length && !failure) {
        const { chunk, r, state } = queue.shift()!;
        const t = chunk.table;
        state.began ||= Date.now();
        try {
          if (!src) {
            src = await openConnection(options.source, "source");
            await prepareSourceSession(src);
          }
          tgt ??= await openConnection(options.target, "target");
          const fastLoad = !s.existing.has(tableKey(t.targetDb, t.targetTable)) || options.onExisting === "drop";
          await prepareTargetSession(tgt, fastLoad);
          const res = await copyChunk(src, tgt, chunk, options.batchBytes, onRows, () => failure !== undefined);
          r.rows += res.rows;
          r.bytes += res.bytes;
          if (--state.left === 0) {
            r.status = "copied";
            r.seconds = (Date.now() - state.began) / 1000;
            onTableDone();
          }
        } catch (e) {
          r.status = "failed";
          r.seconds = (Date.now() - state.began) / 1000;
          if (!failure) failure = new MigrationError("data", `${describeChunk(chunk)}: ${redact(serverMessage(e), secrets)}`, r.target);
          await closeQuietly(src);
          await closeQuietly(tgt);
          src = tgt = undefined;
        }
      }
    } finally {
      await closeQuietly(src);
      await closeQuietly(tgt);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.threads, Math.max(1, queue.length)) }, worker));
  if (failure) {
    throw new MigrationError("data", failure.detail, failure.table, reports.filter((r) => r.status !== "copied").map((r) => r.target));
  }
}

interface CountResult {
  source: string;
  target: string;
  sourceRows: number;
  targetRows: number;
}

async function compareRowCounts(source: Connection, target: Connection, tables: PlanTable[]): Promise<CountResult[]> {
  const out: CountResult[] = [];
  for (const t of tables) {
    const [{ n: a }] = await queryRows<{ n: string }>(source, `SELECT COUNT(*) AS n FROM ${qualified(t.sourceDb, t.sourceTable)}`);
    const [{ n: b }] = await queryRows<{ n: string }>(target, `SELECT COUNT(*) AS n FROM ${qualified(t.targetDb, t.targetTable)}`);
    out.push({ source: displayName(t.sourceDb, t.sourceTable), target: displayName(t.targetDb, t.targetTable), sourceRows: Number(a), targetRows: Number(b) });
  }
  return out;
}

/** Compares row counts of every selected table on both sides. */
export async function verify(raw: unknown): Promise<{ ok: boolean; tables: (CountResult & { status: "verified" | "mismatched" })[] }> {
  const options: MigrateOptions = parseOptions(raw);
  const s = await runPrecheck({ ...options, onExisting: "append" });
  try {
    const failed = s.items.filter((i) => i.status === "failed" && /connection|selected objects|destination names|source read/.test(i.name));
    if (failed.length) throw new PrecheckFailedError(failed);
    const counts = await compareRowCounts(s.source!, s.target!, s.plan!.tables);
    const tables = counts.map((c) => ({ ...c, status: c.sourceRows === c.targetRows ? ("verified" as const) : ("mismatched" as const) }));
    return { ok: tables.every((t) => t.status === "verified"), tables };
  } finally {
    await closeSession(s);
  }
}

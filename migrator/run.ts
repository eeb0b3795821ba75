/** The phases in order: precheck -> schema -> data -> indexes -> constraints -> verify. */
import type { Connection } from "mysql2/promise";
import { Chunk, planChunks } from "./chunker";
import { closeQuietly, openConnection, queryRows } from "./connect";
import { copyChunks, CopyJob, TableProgress } from "./copier";
import { MigrationError, PrecheckFailedError, redact, serverMessage } from "./errors";
import { Ledger, LedgerState, StoredBounds, tableId } from "./ledger";
import { MigrateOptions, parseOptions } from "./options";
import { destinationOf, PlanTable, sourceBytesOf } from "./plan";
import { closeSession, fingerprint, ledgerDatabase, runPrecheck, Session, tableKey } from "./precheck";
import { displayName, qualified } from "./quote";
import { createDatabase, foreignKeyStatement, indexStatements, TARGET_SQL_MODE, targetDefinition } from "./schema";
import { withRetry } from "./retry";
import { createObjects, verifyObjects } from "./objects";
import { logPosition, Snapshot, takeSnapshot } from "./snapshot";
import type { MigrationReport, PrecheckReport, Progress, ProgressListener, TableReport } from "./types";
import { TableVerification, verifyTable } from "./verifier";

function precheckReport(s: Session): PrecheckReport {
  const plan = s.plan;
  return {
    ok: s.items.every((i) => i.status !== "failed"),
    items: s.items,
    databases: plan?.databases ?? [],
    tables: (plan?.tables ?? []).map(({ sourceDb, sourceTable, targetDb, targetTable }) => ({ sourceDb, sourceTable, targetDb, targetTable })),
    sourceBytes: sourceBytesOf(plan?.tables ?? []),
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

function definitionOf(s: Session, t: PlanTable) {
  return targetDefinition(
    s.ddl.get(tableKey(t.sourceDb, t.sourceTable))!,
    { db: t.sourceDb, table: t.sourceTable },
    { db: t.targetDb, table: t.targetTable },
    (db, table) => destinationOf(s.options.rename, db, table),
    s.options.deferIndexes,
  );
}

const toChunks = (t: PlanTable, stored: StoredBounds[]): Chunk[] => stored.map((b, index) => ({ table: t, index, ...b }));
const toBounds = (chunks: Chunk[]): StoredBounds[] => chunks.map(({ lower, upper }) => ({ lower, upper }));

/** A table the run writes: its chunks, whether it was created by us, and what the ledger says. */
interface TableWork {
  t: PlanTable;
  report: TableReport;
  chunks: Chunk[];
  /** Created (or dropped and recreated) by this migration: deferred indexes and foreign keys are ours to add. */
  ours: boolean;
  /** Left by the previous run of a resume. */
  resumed: boolean;
}

/**
 * Precheck, schema, full data, deferred indexes, foreign keys and chunk-checksum verification.
 * Throws InputError for bad options, PrecheckFailedError when an item failed (nothing written),
 * MigrationError otherwise. After a crash, the same call continues where the last one stopped.
 */
export async function migrate(raw: unknown, onProgress: ProgressListener = () => undefined): Promise<MigrationReport> {
  const options = parseOptions(raw);
  const started = Date.now();
  const s = await runPrecheck(options);
  const secrets = [options.source.password, options.target.password];
  const notices: string[] = [];
  let snapshot: Snapshot | undefined;
  try {
    const pre = precheckReport(s);
    if (!pre.ok) throw new PrecheckFailedError(pre.items);
    const plan = s.plan!;
    const source = s.source!;
    const target = s.target!;
    const work: TableWork[] = plan.tables.map((t) => ({
      t,
      report: { source: displayName(t.sourceDb, t.sourceTable), target: displayName(t.targetDb, t.targetTable), status: "not copied", rows: 0, chunks: 0, bytes: 0, seconds: 0 },
      chunks: [],
      ours: !s.existing.has(tableKey(t.targetDb, t.targetTable)) || options.onExisting === "drop",
      resumed: false,
    }));
    const reports = work.map((w) => w.report);
    const incomplete = () => reports.filter((r) => r.status !== "copied").map((r) => r.target);
    const fail = (phase: MigrationError["phase"], e: unknown, table?: string) =>
      e instanceof MigrationError
        ? new MigrationError(e.phase, e.detail, e.table, e.incompleteTables.length ? e.incompleteTables : incomplete())
        : new MigrationError(phase, redact(serverMessage(e), secrets), table, incomplete());

    const progress: Progress = {
      phase: "schema",
      tablesDone: 0,
      tablesTotal: plan.tables.length,
      rowsDone: 0,
      rowsTotal: plan.tables.reduce((n, t) => n + t.info.rowsEstimate, 0),
      bytesDone: 0,
      bytesTotal: plan.tables.reduce((n, t) => n + t.info.dataLength, 0),
    };
    const phases: Record<string, number> = {};
    let phaseStarted = Date.now();
    const emit = (patch: Partial<Progress> = {}) => {
      if (patch.phase && patch.phase !== progress.phase) {
        phases[progress.phase] = (Date.now() - phaseStarted) / 1000;
        phaseStarted = Date.now();
      }
      Object.assign(progress, patch);
      onProgress({ ...progress });
    };
    emit();

    // Schema: databases, the ledger, then each table (recorded before it is created, so a crash in between is repaired).
    let ledger: Ledger;
    const previous: LedgerState | undefined = s.ledger;
    try {
      await prepareTargetSession(target, false);
      for (const d of plan.databases) await createDatabase(target, d);
      const ledgerDb = ledgerDatabase(plan)!;
      if (s.resume && previous) {
        ledger = Ledger.resume(target, ledgerDb);
      } else {
        if (previous && options.restart) {
          for (const w of work) {
            if (previous.tables.has(tableId(w.t.targetDb, w.t.targetTable))) await target.query(`DROP TABLE IF EXISTS ${qualified(w.t.targetDb, w.t.targetTable)}`);
          }
        }
        ledger = await Ledger.start(target, ledgerDb, fingerprint(options));
      }
    } catch (e) {
      throw fail("schema", e);
    }
    for (const w of work) {
      const { t } = w;
      try {
        const old = s.resume ? previous?.tables.get(tableId(t.targetDb, t.targetTable)) : undefined;
        if (old?.state === "created") {
          w.chunks = toChunks(t, old.chunks);
          w.resumed = true;
          continue;
        }
        w.chunks = await planChunks(source, t, options.chunkBytes);
        await ledger.setTable(t.targetDb, t.targetTable, "creating", toBounds(w.chunks));
        if (old?.state === "creating") await target.query(`DROP TABLE IF EXISTS ${qualified(t.targetDb, t.targetTable)}`);
        await createTargetTable(s, t, old !== undefined);
        await ledger.setTable(t.targetDb, t.targetTable, "created", toBounds(w.chunks));
      } catch (e) {
        throw fail("schema", e, w.report.target);
      }
    }

    // Routines before the views that call them, views in dependency order (no data: before the copy).
    const replaceObjects = s.resume || options.onExisting === "drop" || options.restart;
    const objectsOf = (...kinds: string[]) => s.objects.filter((o) => kinds.includes(o.kind));
    try {
      await createObjects(options.target, objectsOf("procedure", "function", "view"), replaceObjects);
    } catch (e) {
      throw fail("schema", e);
    }

    // Data: one snapshot for all readers, chunks not yet on the target, biggest tables first.
    emit({ phase: "data" });
    const done = s.resume ? (previous?.doneChunks ?? new Set<string>()) : new Set<string>();
    const jobs: CopyJob[] = [];
    for (const w of [...work].sort((a, b) => b.t.info.dataLength - a.t.info.dataLength)) {
      const { t } = w;
      const keyless = t.info.key.length === 0;
      const appendOnly = !w.ours && options.onExisting === "append";
      const todo = w.chunks.filter((c) => !done.has(`c:${tableId(t.targetDb, t.targetTable)}:${c.index}`));
      w.report.chunks = w.chunks.length;
      const progressOf: TableProgress = {
        report: w.report,
        left: todo.length,
        began: 0,
        reloadFromEmpty: keyless && !appendOnly,
        mustEmpty: keyless && !appendOnly && w.resumed && todo.length > 0,
        fastLoad: w.ours && !w.resumed,
      };
      if (todo.length === 0) {
        w.report.status = "copied";
        progress.tablesDone++;
      }
      for (const chunk of todo) jobs.push({ chunk, table: progressOf });
    }
    try {
      snapshot = await takeSnapshot(options.source, source, Math.max(1, Math.min(options.threads, jobs.length)), plan.tables);
      if (snapshot.method === "none") {
        notices.push("no consistent snapshot: the source account may not lock tables, so workers read at slightly different moments; writes during the run are detected below");
      }
      await copyChunks(
        {
          options,
          snapshot,
          ledger,
          prepareTarget: prepareTargetSession,
          onRows: (rows, bytes) => {
            progress.rowsDone += rows;
            progress.bytesDone += bytes;
            emit();
          },
          onTableDone: () => emit({ tablesDone: progress.tablesDone + 1 }),
          onNotice: (m) => notices.push(m),
        },
        jobs,
      );
    } catch (e) {
      throw fail("data", e);
    }

    // The session's own connections idled through the copy and may have been lost (target restart): renew them.
    const target2 = await reconnect(s, "target");
    const source2 = await reconnect(s, "source");
    ledger.useConnection(target2);

    emit({ phase: "indexes" });
    for (const w of work.filter((x) => x.ours)) {
      const { t } = w;
      try {
        const have = await existingNames(target2, "SELECT DISTINCT INDEX_NAME AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", t);
        const clauses = definitionOf(s, t).deferredIndexes.filter((c) => !have.has(indexName(c)));
        for (const sql of indexStatements(t.targetDb, t.targetTable, clauses)) await target2.query(sql);
      } catch (e) {
        throw fail("indexes", e, w.report.target);
      }
    }

    emit({ phase: "constraints" });
    for (const w of work.filter((x) => x.ours)) {
      const { t } = w;
      try {
        const have = await existingNames(
          target2,
          "SELECT CONSTRAINT_NAME AS n FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?",
          t,
        );
        const sql = foreignKeyStatement(t.targetDb, t.targetTable, definitionOf(s, t).foreignKeys.filter((c) => !have.has(indexName(c))));
        if (sql) await target2.query(sql);
      } catch (e) {
        throw fail("constraints", e, w.report.target);
      }
    }

    // Triggers only now, so they did not fire during the copy; events last, disabled.
    try {
      await createObjects(options.target, objectsOf("trigger", "event"), replaceObjects);
    } catch (e) {
      throw fail("constraints", e);
    }

    // Verify: live source against target, chunk by chunk; a moved binlog position means the source took writes.
    emit({ phase: "verify" });
    const objects = await verifyObjects(target2, s.objects);
    const badObjects = objects.filter((o) => o.status === "mismatched");
    if (badObjects.length) {
      throw new MigrationError("verify", badObjects.map((o) => `${o.kind} ${o.target}: ${o.difference}`).join("; "));
    }
    let verification: TableVerification[] = [];
    if (options.verify) {
      try {
        verification = await verifyAll(options, work.map((w) => w.chunks));
      } catch (e) {
        throw fail("verify", e);
      }
    }
    const positionAfter = await logPosition(source2);
    const sourceChanged = snapshot?.position !== undefined && positionAfter !== undefined && positionAfter !== snapshot.position;
    const mismatched = verification.filter((v) => v.status === "mismatched");
    for (const v of verification) {
      const r = reports.find((x) => x.target === v.target)!;
      r.verification = v.status;
      if (v.mismatches.length) r.mismatches = v.mismatches.slice(0, 10);
    }
    emit({ phase: "done" });

    if (mismatched.length && !(options.onExisting === "append" && mismatched.every((m) => !work.find((w) => w.report.target === m.target)!.ours))) {
      throw new MigrationError(
        "verify",
        (sourceChanged
          ? `the source took writes during the migration (binary log ${snapshot!.position} -> ${positionAfter}); DTS-style full migration needs writes stopped. `
          : "") + mismatched.map((m) => `${m.target}: ${m.mismatches.slice(0, 3).join("; ")}`).join("; "),
      );
    }
    if (sourceChanged) notices.push(`the source's binary log moved during the run (${snapshot!.position} -> ${positionAfter}): writes elsewhere on the source, the selected tables verified equal`);
    await ledger.drop();
    const totals = {
      tables: reports.length,
      rows: reports.reduce((n, t) => n + t.rows, 0),
      bytes: reports.reduce((n, t) => n + t.bytes, 0),
      seconds: (Date.now() - started) / 1000,
    };
    return {
      ok: true,
      databases: plan.databases,
      tables: reports,
      totals,
      warnings: [...s.items.filter((i) => i.status === "warning").map((i) => `${i.name}: ${i.reason}`), ...notices],
      verified: options.verify && mismatched.length === 0,
      snapshot: snapshot?.method ?? "none",
      resumed: s.resume,
      phaseSeconds: phases,
      objects,
    };
  } finally {
    await closeSession(s);
  }
}

/** Replaces a session connection with a new one (with retries while the server comes back). */
async function reconnect(s: Session, role: "source" | "target"): Promise<Connection> {
  await closeQuietly(s[role]);
  s[role] = undefined;
  const conn = await withRetry({ retries: s.options.retries, baseDelayMs: 500 }, () => openConnection(s.options[role], role));
  if (role === "target") await prepareTargetSession(conn, false);
  s[role] = conn;
  return conn;
}

/** `KEY `a` (...)` / `CONSTRAINT `a` FOREIGN KEY ...` -> `a`. */
function indexName(clause: string): string {
  const m = /^(?:(?:FULLTEXT |SPATIAL )?KEY|CONSTRAINT) `((?:[^`]|``)+)`/.exec(clause);
  return m ? m[1].replace(/``/g, "`") : "";
}

async function existingNames(conn: Connection, sql: string, t: PlanTable): Promise<Set<string>> {
  return new Set((await queryRows<{ n: string }>(conn, sql, [t.targetDb, t.targetTable])).map((r) => r.n));
}

async function createTargetTable(s: Session, t: PlanTable, previousRun: boolean): Promise<void> {
  const target = s.target!;
  const exists = s.existing.has(tableKey(t.targetDb, t.targetTable));
  if (exists && s.options.onExisting === "truncate") {
    await target.query(`TRUNCATE TABLE ${qualified(t.targetDb, t.targetTable)}`);
    return;
  }
  if (exists && s.options.onExisting === "append") return;
  if (exists || previousRun) await target.query(`DROP TABLE IF EXISTS ${qualified(t.targetDb, t.targetTable)}`);
  await target.query(definitionOf(s, t).create);
}

/** Verifies tables with `threads` pairs of connections, chunk by chunk. */
async function verifyAll(options: MigrateOptions, tables: Chunk[][]): Promise<TableVerification[]> {
  const queue = tables.filter((c) => c.length > 0).map((chunks, i) => ({ chunks, i }));
  const out: TableVerification[] = new Array(queue.length);
  const order = new Map(queue.map((q, pos) => [q.i, pos]));
  const worker = async () => {
    let src: Connection | undefined;
    let tgt: Connection | undefined;
    try {
      src = await openConnection(options.source, "source");
      tgt = await openConnection(options.target, "target");
      while (queue.length) {
        const { chunks, i } = queue.shift()!;
        out[order.get(i)!] = await verifyTable(src, tgt, chunks);
      }
    } finally {
      await closeQuietly(src);
      await closeQuietly(tgt);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.threads, queue.length)) }, worker));
  return out;
}

/** Compares every selected table chunk by chunk (row counts and checksums) on both sides. */
export async function verify(raw: unknown): Promise<{ ok: boolean; tables: TableVerification[] }> {
  const options: MigrateOptions = parseOptions(raw);
  const s = await runPrecheck({ ...options, onExisting: "append" });
  try {
    const failed = s.items.filter((i) => i.status === "failed" && /connection|selected objects|destination names|source read/.test(i.name));
    if (failed.length) throw new PrecheckFailedError(failed);
    const chunks: Chunk[][] = [];
    for (const t of s.plan!.tables) chunks.push(await planChunks(s.source!, t, options.chunkBytes));
    const tables = await verifyAll(options, chunks);
    return { ok: tables.every((t) => t.status === "verified"), tables };
  } finally {
    await closeSession(s);
  }
}

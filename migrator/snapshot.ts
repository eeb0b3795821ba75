/**
 * One point in time for every reader, the way mysqldump and MySQL Shell do it: while a brief
 * global read lock (FLUSH TABLES WITH READ LOCK) or, without that privilege, LOCK TABLES ... READ
 * on the selected tables is held, every worker starts `START TRANSACTION WITH CONSISTENT
 * SNAPSHOT`; then the lock is released. Where neither lock is allowed (the usual read-only
 * account), workers start their snapshots together but unsynchronised, and writes during the run
 * are detected from the binary log position instead.
 */
import type { Connection } from "mysql2/promise";
import type { Endpoint } from "./endpoint";
import { openConnection, queryRows } from "./connect";
import { prepareSourceSession } from "./copy";
import type { PlanTable } from "./plan";
import { qualified } from "./quote";

export type SnapshotMethod = "flush tables with read lock" | "lock tables" | "none";

export interface Snapshot {
  method: SnapshotMethod;
  /** Binary log position / GTID set when the snapshot was taken, if readable. */
  position?: string;
  readers: Connection[];
}

/** The source's binary log position (MariaDB gtid_binlog_pos, MySQL gtid_executed or SHOW MASTER STATUS). */
export async function logPosition(conn: Connection): Promise<string | undefined> {
  for (const sql of ["SELECT @@global.gtid_binlog_pos AS p", "SELECT @@global.gtid_executed AS p"]) {
    try {
      const [r] = await queryRows<{ p: string | null }>(conn, sql);
      if (r?.p) return r.p;
    } catch {
      /* variable unknown on this server */
    }
  }
  for (const sql of ["SHOW BINARY LOG STATUS", "SHOW MASTER STATUS"]) {
    try {
      const [r] = await queryRows<{ File?: string; Position?: string | number }>(conn, sql);
      if (r?.File) return `${r.File}:${r.Position}`;
    } catch {
      /* no privilege or not supported */
    }
  }
  return undefined;
}

async function startReader(ep: Endpoint): Promise<Connection> {
  const c = await openConnection(ep, "source");
  await prepareSourceSession(c);
  await c.query("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  return c;
}

export async function beginReaderSnapshot(c: Connection): Promise<void> {
  await c.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
}

/** Opens `n` reader connections sharing one snapshot where the account allows it. */
export async function takeSnapshot(ep: Endpoint, coordinator: Connection, n: number, tables: PlanTable[]): Promise<Snapshot> {
  const readers = await Promise.all(Array.from({ length: n }, () => startReader(ep)));
  await coordinator.query("SET SESSION lock_wait_timeout = 30");
  let method: SnapshotMethod = "none";
  try {
    await coordinator.query("FLUSH TABLES WITH READ LOCK");
    method = "flush tables with read lock";
  } catch {
    if (tables.length > 0) {
      try {
        await coordinator.query(`LOCK TABLES ${tables.map((t) => `${qualified(t.sourceDb, t.sourceTable)} READ`).join(", ")}`);
        method = "lock tables";
      } catch {
        method = "none";
      }
    }
  }
  try {
    const position = await logPosition(coordinator);
    await Promise.all(readers.map(beginReaderSnapshot));
    return { method, position, readers };
  } finally {
    if (method !== "none") await coordinator.query("UNLOCK TABLES");
  }
}

export async function newReader(ep: Endpoint): Promise<Connection> {
  const c = await startReader(ep);
  await beginReaderSnapshot(c);
  return c;
}

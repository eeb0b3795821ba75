import type { ObjectReport } from "./objects";

/** Result types of the engine: the report is what the CLI prints and the Pulumi resource outputs. */

export type CheckStatus = "passed" | "warning" | "failed";

/** One line of the precheck, like a row of DTS's precheck page. */
export interface PrecheckItem {
  name: string;
  status: CheckStatus;
  reason: string;
}

/** A table of the plan: source and destination names. */
export interface PlannedTable {
  sourceDb: string;
  sourceTable: string;
  targetDb: string;
  targetTable: string;
}

/** A destination database of the plan, with the source database's defaults. */
export interface PlannedDatabase {
  sourceDb: string;
  targetDb: string;
  characterSet: string;
  collation: string;
}

export interface PrecheckReport {
  ok: boolean;
  items: PrecheckItem[];
  databases: PlannedDatabase[];
  tables: PlannedTable[];
  /** Source data + index bytes of the selected tables. */
  sourceBytes: number;
}

export type TableStatus = "copied" | "failed" | "not copied";

export interface TableReport {
  source: string;
  target: string;
  status: TableStatus;
  rows: number;
  /** Key ranges the table was copied in (1: one stream). */
  chunks: number;
  /** Bytes of row data sent to the target. */
  bytes: number;
  seconds: number;
  /** Chunk checksums compared on both sides. */
  verification?: "verified" | "mismatched";
  /** Key ranges that differ (at most 10). */
  mismatches?: string[];
}

export interface MigrationReport {
  ok: boolean;
  databases: PlannedDatabase[];
  tables: TableReport[];
  totals: { tables: number; rows: number; bytes: number; seconds: number };
  /** Precheck items with status `warning`. */
  warnings: string[];
  /** Every chunk's row count and checksum compared equal on both sides after the copy. */
  verified: boolean;
  /** How the readers shared one point in time: a global read lock, table locks, or not at all. */
  snapshot: "flush tables with read lock" | "lock tables" | "none";
  /** This run continued an unfinished one. */
  resumed: boolean;
  /** Where the time went: seconds per phase (schema, data, indexes, constraints, verify). */
  phaseSeconds: Record<string, number>;
  /** Views, triggers, routines and events: created, definition compared, what the DEFINER policy changed. */
  objects: ObjectReport[];
}

/** Progress events, for the CLI's bar and the Pulumi resource's log. */
export interface Progress {
  phase: "precheck" | "schema" | "data" | "indexes" | "constraints" | "verify" | "done";
  tablesDone: number;
  tablesTotal: number;
  rowsDone: number;
  /** Estimated from the source's statistics. */
  rowsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  message?: string;
}

export type ProgressListener = (p: Progress) => void;

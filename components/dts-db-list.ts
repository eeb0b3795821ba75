/**
 * The DTS object list (`dbList` of dts.MigrationJob / ConfigureDtsJob) from the same selection the
 * direct engine plans with: include / exclude / rename, as the engine's option schema parses them.
 *
 * Format ("Objects of DTS tasks"): keyed by source database,
 *   {"shop": {"name": "shop", "all": true}}                                  a whole database
 *   {"crm": {"name": "crm_new", "all": false, "Table": {"t": {"name": "t2", "all": true}}}}   tables
 * `name` is the target name, so a key != name is a rename.
 *
 * DTS needs explicit table names: a selection that names every table exactly gives the list at
 * preview time (staticDbList); one with globs or table-level excludes is listed at deploy time from
 * the engine's precheck plan of the source catalog (planDbList), so both engines copy the same tables.
 */
import type { z } from "zod";
import { MigrateOptionsSchema } from "../migrator";

export interface DtsTableEntry {
  name: string;
  all: true;
}

export type DtsDbEntry = { name: string; all: true } | { name: string; all: false; Table: Record<string, DtsTableEntry> };

export type DtsDbList = Record<string, DtsDbEntry>;

/** A table of the engine's plan (precheck report `tables`). */
export interface PlannedTableName {
  sourceDb: string;
  sourceTable: string;
  targetDb: string;
  targetTable: string;
}

export interface SelectionInput {
  include: string[];
  exclude?: string[];
  rename?: string[];
}

const SelectionSchema = MigrateOptionsSchema.pick({ include: true, exclude: true, rename: true });
type Selection = z.output<typeof SelectionSchema>;
type Rename = Selection["rename"][number];

const hasGlob = (s: string) => /[*?]/.test(s);

function parse(sel: SelectionInput): Selection {
  return SelectionSchema.parse({ include: sel.include, exclude: sel.exclude ?? [], rename: sel.rename ?? [] });
}

function targetDbOf(renames: Rename[], db: string): string {
  return renames.find((r) => r.table === undefined && r.db === db)?.toDb ?? db;
}

/**
 * Selection problems DTS cannot express, as [field, message] (for the stack config's errors):
 * a table renamed into another database than its database's target.
 */
export function dtsSelectionProblems(sel: SelectionInput): [string, string][] {
  const parsed = SelectionSchema.safeParse({ include: sel.include, exclude: sel.exclude ?? [], rename: sel.rename ?? [] });
  if (!parsed.success) return []; // the engine's schema reports these itself
  const out: [string, string][] = [];
  parsed.data.rename.forEach((r, i) => {
    if (r.table === undefined) return;
    const dbTarget = targetDbOf(parsed.data.rename, r.db);
    if (r.toDb !== dbTarget) {
      out.push([
        `rename[${i}]`,
        `"${r.text}" moves a table to database ${r.toDb}, but DTS maps each source database to one target database (${dbTarget}): ` +
          `rename it as ${r.db}.${r.table}=${dbTarget}.${r.toTable}, or use engine direct`,
      ]);
    }
  });
  return out;
}

/** The source databases of the selection in include order (exact names: cloud mode forbids db globs). */
function sourceDatabases(s: Selection): string[] {
  const wholeExcluded = (db: string) => s.exclude.some((e) => e.table === undefined && !hasGlob(e.db) && e.db === db);
  return [...new Set(s.include.map((p) => p.db))].filter((db) => !wholeExcluded(db));
}

/** Whole database, nothing inside it excluded or renamed: DTS can take it with `all: true`. */
function isWholeUntouched(s: Selection, db: string): boolean {
  const whole = s.include.some((p) => p.db === db && p.table === undefined);
  const excluded = s.exclude.some((e) => e.table !== undefined && (e.db === db || hasGlob(e.db)));
  const renamed = s.rename.some((r) => r.table !== undefined && r.db === db);
  return whole && !excluded && !renamed;
}

function tableTarget(s: Selection, db: string, table: string): string {
  return s.rename.find((r) => r.table !== undefined && r.db === db && r.table === table)?.toTable ?? table;
}

/**
 * The dbList when the selection alone determines it (every table named exactly, no table-level
 * exclude, whole databases untouched); undefined when it needs the source catalog.
 */
export function staticDbList(sel: SelectionInput): DtsDbList | undefined {
  const s = parse(sel);
  const out: DtsDbList = {};
  for (const db of sourceDatabases(s)) {
    const name = targetDbOf(s.rename, db);
    if (isWholeUntouched(s, db)) {
      out[db] = { name, all: true };
      continue;
    }
    const patterns = s.include.filter((p) => p.db === db);
    const touchedByExclude = s.exclude.some((e) => e.db === db || hasGlob(e.db));
    if (patterns.some((p) => p.table === undefined || hasGlob(p.table)) || touchedByExclude) return undefined;
    const tables: Record<string, DtsTableEntry> = {};
    for (const p of patterns) tables[p.table!] = { name: tableTarget(s, db, p.table!), all: true };
    out[db] = { name, all: false, Table: tables };
  }
  return out;
}

/** The dbList from the engine's plan: whole untouched databases as `all`, every other table by name. */
export function planDbList(sel: SelectionInput, tables: ReadonlyArray<PlannedTableName>): DtsDbList {
  const s = parse(sel);
  const out: DtsDbList = {};
  for (const db of sourceDatabases(s)) {
    const name = targetDbOf(s.rename, db);
    if (isWholeUntouched(s, db)) {
      out[db] = { name, all: true };
      continue;
    }
    const mine = tables.filter((t) => t.sourceDb === db);
    if (mine.length === 0) continue; // nothing selected in it: DTS rejects an empty object list
    const entries: Record<string, DtsTableEntry> = {};
    for (const t of mine) entries[t.sourceTable] = { name: t.targetTable, all: true };
    out[db] = { name: mine[0].targetDb, all: false, Table: entries };
  }
  if (Object.keys(out).length === 0) throw new Error("the selection matches no table on the source: nothing for DTS to migrate");
  return out;
}

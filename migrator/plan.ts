/**
 * The planner: which source tables are selected and what they are called on the target, as the
 * DTS console's object selection and name mapping do it.
 */
import type { Connection } from "mysql2/promise";
import { describeTables, listDatabases, listTables, TableInfo } from "./catalog";
import { queryRows } from "./connect";
import { InputError } from "./errors";
import { formatIssues, MigrateOptions, MigrateOptionsSchema } from "./options";
import { hasGlob, isSystemSchema, matches, ObjectPattern, Rename } from "./pattern";
import { displayName } from "./quote";
import type { PlannedDatabase, PlannedTable } from "./types";

export interface PlanTable extends PlannedTable {
  info: TableInfo;
}

export interface Plan {
  databases: PlannedDatabase[];
  tables: PlanTable[];
  /** Include patterns naming objects that do not exist on the source. */
  missing: string[];
  /** Destination names claimed by more than one source object. */
  collisions: string[];
  /** Renames that name no selected object. */
  unusedRenames: string[];
}

/** Source data + index bytes of the selected tables (the precheck's capacity figure). */
export function sourceBytesOf(tables: ReadonlyArray<PlanTable>): number {
  return tables.reduce((n, t) => n + t.info.dataLength + t.info.indexLength, 0);
}

type Selection = Pick<MigrateOptions, "include" | "exclude" | "rename">;

/** The destination name of a source table under the renames (a table rename beats a database rename). */
export function destinationOf(rename: Rename[], db: string, table: string): { db: string; table: string } {
  const tr = rename.find((r) => r.table !== undefined && r.db === db && r.table === table);
  if (tr) return { db: tr.toDb, table: tr.toTable! };
  return { db: destinationDb(rename, db), table };
}

export function destinationDb(rename: Rename[], db: string): string {
  return rename.find((r) => r.table === undefined && r.db === db)?.toDb ?? db;
}

function isSelected(sel: Selection, db: string, table: string): boolean {
  return sel.include.some((p) => matches(p, db, table)) && !sel.exclude.some((p) => matches(p, db, table));
}

/**
 * The destination databases of a selection without connecting anywhere: for the Pulumi program,
 * which must know them at preview time. Database names must be exact (no globs).
 */
export function staticDatabaseMapping(raw: {
  include: string[];
  exclude?: string[];
  rename?: string[];
}): { sourceDb: string; targetDb: string }[] {
  const schema = MigrateOptionsSchema.pick({ include: true, exclude: true, rename: true });
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new InputError(formatIssues(parsed.error));
  const pairs: { sourceDb: string; targetDb: string }[] = [];
  parsed.data.include.forEach((p: ObjectPattern, i: number) => {
    if (hasGlob(p.db)) {
      throw new InputError(`"${p.text}" uses a pattern for the database name; name each database exactly here`, `include[${i}]`);
    }
    const wholeDbExcluded = parsed.data.exclude.some((e) => e.table === undefined && matches(e, p.db));
    if (!wholeDbExcluded) pairs.push({ sourceDb: p.db, targetDb: destinationDb(parsed.data.rename, p.db) });
  });
  // A table renamed into another database needs that database too.
  for (const r of parsed.data.rename) {
    if (r.table !== undefined && pairs.some((x) => x.sourceDb === r.db)) pairs.push({ sourceDb: r.db, targetDb: r.toDb });
  }
  return pairs.filter((x, i) => pairs.findIndex((y) => y.targetDb === x.targetDb) === i);
}

/** Reads the source catalog and builds the plan; problems are collected for the precheck. */
export async function buildPlan(conn: Connection, options: MigrateOptions, targetLowerCaseNames: boolean): Promise<Plan> {
  const databases = (await listDatabases(conn)).filter((d) => !isSystemSchema(d.name));
  const candidateDbs = databases.filter((d) => options.include.some((p) => matches({ ...p, table: undefined }, d.name)));
  const all = await listTables(conn, candidateDbs.map((d) => d.name));
  const selected = all.filter((t) => isSelected(options, t.db, t.name));
  await describeTables(conn, selected);
  // Views are selected by name like tables (their definitions move with the schema objects).
  const views = candidateDbs.length
    ? await queryRows<{ db: string; n: string }>(conn, "SELECT TABLE_SCHEMA AS db, TABLE_NAME AS n FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN (?)", [
        candidateDbs.map((d) => d.name),
      ])
    : [];
  const selectedViews = views.filter((v) => isSelected(options, v.db, v.n));

  const missing: string[] = [];
  for (const p of options.include) {
    const found =
      p.table === undefined
        ? candidateDbs.some((d) => matches(p, d.name))
        : all.some((t) => matches(p, t.db, t.name)) || views.some((v) => matches(p, v.db, v.n));
    if (!found) {
      missing.push(
        hasGlob(p.db) || (p.table !== undefined && hasGlob(p.table))
          ? `"${p.text}" matches nothing`
          : p.table === undefined
            ? `database ${displayName(p.db)} does not exist`
            : `table ${displayName(p.db, p.table)} does not exist`,
      );
    }
  }

  const tables: PlanTable[] = selected.map((info) => {
    const dest = destinationOf(options.rename, info.db, info.name);
    return { sourceDb: info.db, sourceTable: info.name, targetDb: dest.db, targetTable: dest.table, info };
  });

  const norm = (s: string) => (targetLowerCaseNames ? s.toLowerCase() : s);
  const collisions: string[] = [];
  const owners = new Map<string, PlanTable>();
  for (const t of tables) {
    const k = `${norm(t.targetDb)}\u0000${norm(t.targetTable)}`;
    const other = owners.get(k);
    if (other) {
      collisions.push(
        `${displayName(other.sourceDb, other.sourceTable)} and ${displayName(t.sourceDb, t.sourceTable)} would both become ${displayName(t.targetDb, t.targetTable)}`,
      );
    } else owners.set(k, t);
  }
  const dbOwners = new Map<string, string>();
  for (const r of options.rename.filter((r) => r.table === undefined)) {
    const k = norm(r.toDb);
    const other = dbOwners.get(k);
    if (other !== undefined && other !== r.db) collisions.push(`databases ${displayName(other)} and ${displayName(r.db)} would both become ${displayName(r.toDb)}`);
    dbOwners.set(k, r.db);
  }
  for (const d of candidateDbs) {
    const target = destinationDb(options.rename, d.name);
    const other = dbOwners.get(norm(target));
    if (other !== undefined && other !== d.name && tables.some((t) => t.sourceDb === d.name)) {
      collisions.push(`databases ${displayName(other)} and ${displayName(d.name)} would both become ${displayName(target)}`);
    }
  }

  const unusedRenames = options.rename
    .filter(
      (r) =>
        !tables.some((t) => t.sourceDb === r.db && (r.table === undefined || t.sourceTable === r.table)) &&
        !(r.table === undefined && selectedViews.some((v) => v.db === r.db)),
    )
    .map((r) => `rename "${r.text}" names no selected ${r.table === undefined ? "database" : "table"}`);

  const plannedDbs = new Map<string, PlannedDatabase>();
  for (const t of tables) {
    if (plannedDbs.has(t.targetDb)) continue;
    const src = databases.find((d) => d.name === t.sourceDb)!;
    plannedDbs.set(t.targetDb, { sourceDb: src.name, targetDb: t.targetDb, characterSet: src.characterSet, collation: src.collation });
  }
  for (const v of selectedViews) {
    const target = destinationDb(options.rename, v.db);
    const src = databases.find((d) => d.name === v.db)!;
    if (!plannedDbs.has(target)) plannedDbs.set(target, { sourceDb: v.db, targetDb: target, characterSet: src.characterSet, collation: src.collation });
  }
  // A selected database without tables is still created on the target.
  for (const d of candidateDbs) {
    const wholeDb = options.include.some((p) => p.table === undefined && matches(p, d.name)) &&
      !options.exclude.some((p) => p.table === undefined && matches(p, d.name));
    const target = destinationDb(options.rename, d.name);
    if (wholeDb && !plannedDbs.has(target)) {
      plannedDbs.set(target, { sourceDb: d.name, targetDb: target, characterSet: d.characterSet, collation: d.collation });
    }
  }
  return { databases: [...plannedDbs.values()], tables, missing, collisions: [...new Set(collisions)], unusedRenames };
}

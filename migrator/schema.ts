/**
 * Schema migration: databases with the source's defaults, tables with their exact definitions
 * (SHOW CREATE TABLE), foreign keys split off and added after the data so neither creation nor
 * loading order matters.
 */
import type { Connection } from "mysql2/promise";
import { queryRows } from "./connect";
import { qualified, quoteId, quoteString } from "./quote";
import type { PlannedDatabase } from "./types";

/** Session settings under which the target accepts every value the source holds (zero dates, AUTO_INCREMENT 0). */
export const TARGET_SQL_MODE = "NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION";

export async function showCreateTable(conn: Connection, db: string, table: string): Promise<string> {
  const rows = await queryRows<Record<string, string>>(conn, `SHOW CREATE TABLE ${qualified(db, table)}`);
  const ddl = rows[0]?.["Create Table"];
  if (!ddl) throw new Error(`SHOW CREATE TABLE ${qualified(db, table)} returned no definition`);
  return ddl;
}

const NAME = "`(?:[^`]|``)+`";
/** `  CONSTRAINT `n` FOREIGN KEY (`a`) REFERENCES [`db`.]`t` (`b`) ON DELETE ...` as SHOW CREATE TABLE prints it. */
const FK_LINE = new RegExp(`^\\s+(CONSTRAINT ${NAME} FOREIGN KEY \\((?:[^()\`]|${NAME})*\\) REFERENCES )(?:(${NAME})\\.)?(${NAME})( .*?),?$`);

/** Non-unique secondary indexes (plain, FULLTEXT, SPATIAL); group 2 is the first column, if a plain one. */
const SECONDARY_INDEX = new RegExp(`^\\s+((?:FULLTEXT |SPATIAL )?KEY ${NAME} )\\((${NAME})?`);
const AUTO_COLUMN = new RegExp(`^\\s+(${NAME}) .* AUTO_INCREMENT(?:,|$)`);

const unquote = (q: string) => q.slice(1, -1).replace(/``/g, "`");

export interface TableDefinition {
  /** CREATE TABLE for the target name, without foreign keys (and without deferred indexes). */
  create: string;
  /** Secondary indexes to add after the data, as ALTER TABLE clauses (`KEY ...`), in source order. */
  deferredIndexes: string[];
  /** The foreign key clauses exactly as the source prints them, referenced table already mapped. */
  foreignKeys: string[];
}

/**
 * The source's CREATE TABLE for the target name, with its foreign keys split off (added after the
 * data). Everything else (columns, indexes, partitioning, options, comments, AUTO_INCREMENT)
 * stays byte for byte. `mapTable` gives the destination of a referenced source table.
 */
export function targetDefinition(
  ddl: string,
  source: { db: string; table: string },
  target: { db: string; table: string },
  mapTable: (db: string, table: string) => { db: string; table: string },
  deferIndexes = false,
): TableDefinition {
  const head = `CREATE TABLE ${quoteId(source.table)} (\n`;
  if (!ddl.startsWith(head)) throw new Error(`unexpected SHOW CREATE TABLE output for ${quoteId(source.table)}`);
  const rest = ddl.slice(head.length);
  const close = rest.lastIndexOf("\n)");
  const elements = rest.slice(0, close).split("\n");
  const tail = rest.slice(close + 1);
  const kept: string[] = [];
  const foreignKeys: string[] = [];
  const deferredIndexes: string[] = [];
  const autoColumn = elements.map((l) => AUTO_COLUMN.exec(l)?.[1]).find((c) => c !== undefined);
  // InnoDB needs the AUTO_INCREMENT column to lead some index from the start; plain keys before it
  // stay too, so the server lists the indexes in the source's order.
  const keepUpTo = autoColumn === undefined ? -1 : elements.findLastIndex((l) => SECONDARY_INDEX.exec(l)?.[2] === autoColumn);
  for (const [i, line] of elements.entries()) {
    const m = FK_LINE.exec(line);
    const index = SECONDARY_INDEX.exec(line);
    const plain = index !== null && !/^\s+(FULLTEXT|SPATIAL) /.test(line);
    if (deferIndexes && index && !(plain && i <= keepUpTo)) {
      deferredIndexes.push(line.trim().replace(/,$/, ""));
      continue;
    }
    if (!m) {
      kept.push(line.replace(/,$/, ""));
      continue;
    }
    const ref = mapTable(m[2] ? unquote(m[2]) : source.db, unquote(m[3]));
    foreignKeys.push(`${m[1]}${qualified(ref.db, ref.table)}${m[4]}`);
  }
  return {
    create: `CREATE TABLE ${qualified(target.db, target.table)} (\n${kept.join(",\n")}\n${tail}`,
    deferredIndexes,
    foreignKeys,
  };
}

export async function createDatabase(conn: Connection, d: PlannedDatabase): Promise<void> {
  await conn.query(
    `CREATE DATABASE IF NOT EXISTS ${quoteId(d.targetDb)} CHARACTER SET ${quoteString(d.characterSet)} COLLATE ${quoteString(d.collation)}`,
  );
}

/**
 * ALTER TABLE statements adding the deferred indexes: plain ones together (one sorted build), each
 * FULLTEXT and SPATIAL index on its own (InnoDB builds only one of those per statement).
 */
export function indexStatements(targetDb: string, targetTable: string, clauses: string[]): string[] {
  const table = qualified(targetDb, targetTable);
  const plain = clauses.filter((c) => c.startsWith("KEY "));
  const special = clauses.filter((c) => !c.startsWith("KEY "));
  return [...(plain.length ? [`ALTER TABLE ${table} ${plain.map((c) => `ADD ${c}`).join(", ")}`] : []), ...special.map((c) => `ALTER TABLE ${table} ADD ${c}`)];
}

/** One ALTER TABLE adding all foreign keys of a table. */
export function foreignKeyStatement(targetDb: string, targetTable: string, clauses: string[]): string | undefined {
  if (clauses.length === 0) return undefined;
  return `ALTER TABLE ${qualified(targetDb, targetTable)} ${clauses.map((c) => `ADD ${c}`).join(", ")}`;
}

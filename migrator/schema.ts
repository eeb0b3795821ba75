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

const unquote = (q: string) => q.slice(1, -1).replace(/``/g, "`");

export interface TableDefinition {
  /** CREATE TABLE for the target name, without foreign keys. */
  create: string;
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
): TableDefinition {
  const head = `CREATE TABLE ${quoteId(source.table)} (\n`;
  if (!ddl.startsWith(head)) throw new Error(`unexpected SHOW CREATE TABLE output for ${quoteId(source.table)}`);
  const rest = ddl.slice(head.length);
  const close = rest.lastIndexOf("\n)");
  const elements = rest.slice(0, close).split("\n");
  const tail = rest.slice(close + 1);
  const kept: string[] = [];
  const foreignKeys: string[] = [];
  for (const line of elements) {
    const m = FK_LINE.exec(line);
    if (!m) {
      kept.push(line.replace(/,$/, ""));
      continue;
    }
    const ref = mapTable(m[2] ? unquote(m[2]) : source.db, unquote(m[3]));
    foreignKeys.push(`${m[1]}${qualified(ref.db, ref.table)}${m[4]}`);
  }
  return {
    create: `CREATE TABLE ${qualified(target.db, target.table)} (\n${kept.join(",\n")}\n${tail}`,
    foreignKeys,
  };
}

export async function createDatabase(conn: Connection, d: PlannedDatabase): Promise<void> {
  await conn.query(
    `CREATE DATABASE IF NOT EXISTS ${quoteId(d.targetDb)} CHARACTER SET ${quoteString(d.characterSet)} COLLATE ${quoteString(d.collation)}`,
  );
}

/** One ALTER TABLE adding all foreign keys of a table. */
export function foreignKeyStatement(targetDb: string, targetTable: string, clauses: string[]): string | undefined {
  if (clauses.length === 0) return undefined;
  return `ALTER TABLE ${qualified(targetDb, targetTable)} ${clauses.map((c) => `ADD ${c}`).join(", ")}`;
}

/**
 * Schema migration: databases with the source's defaults, tables with their exact definitions
 * (SHOW CREATE TABLE), foreign keys split off and added after the data so neither creation nor
 * loading order matters.
 */
import type { Connection } from "mysql2/promise";
import type { ForeignKey } from "./catalog";
import { queryRows } from "./connect";
import { destinationOf } from "./plan";
import type { Rename } from "./pattern";
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

const FK_LINE = /^\s+CONSTRAINT `(?:[^`]|``)+` FOREIGN KEY /;

/**
 * The source's CREATE TABLE for the target name, without its foreign keys (added later by
 * `addForeignKeys`). Everything else (columns, indexes, partitioning, options, comments,
 * AUTO_INCREMENT) stays byte for byte.
 */
export function targetCreateTable(ddl: string, sourceTable: string, targetDb: string, targetTable: string): string {
  const head = `CREATE TABLE ${quoteId(sourceTable)} (\n`;
  if (!ddl.startsWith(head)) throw new Error(`unexpected SHOW CREATE TABLE output for ${quoteId(sourceTable)}`);
  const rest = ddl.slice(head.length);
  const close = rest.lastIndexOf("\n)");
  const elements = rest.slice(0, close).split("\n");
  const tail = rest.slice(close + 1);
  const kept = elements.filter((line) => !FK_LINE.test(line)).map((line) => line.replace(/,$/, ""));
  return `CREATE TABLE ${qualified(targetDb, targetTable)} (\n${kept.join(",\n")}\n${tail}`;
}

export async function createDatabase(conn: Connection, d: PlannedDatabase): Promise<void> {
  await conn.query(
    `CREATE DATABASE IF NOT EXISTS ${quoteId(d.targetDb)} CHARACTER SET ${quoteString(d.characterSet)} COLLATE ${quoteString(d.collation)}`,
  );
}

/** One ALTER TABLE adding all foreign keys of a table, with referenced tables mapped through the renames. */
export function foreignKeyStatement(
  targetDb: string,
  targetTable: string,
  fks: ForeignKey[],
  rename: Rename[],
): string | undefined {
  if (fks.length === 0) return undefined;
  const cols = (c: string[]) => c.map(quoteId).join(", ");
  const clauses = fks.map((fk) => {
    const ref = destinationOf(rename, fk.refDb, fk.refTable);
    return (
      `ADD CONSTRAINT ${quoteId(fk.name)} FOREIGN KEY (${cols(fk.columns)}) REFERENCES ${qualified(ref.db, ref.table)} (${cols(fk.refColumns)})` +
      ` ON DELETE ${referentialAction(fk.onDelete)} ON UPDATE ${referentialAction(fk.onUpdate)}`
    );
  });
  return `ALTER TABLE ${qualified(targetDb, targetTable)} ${clauses.join(", ")}`;
}

function referentialAction(rule: string): string {
  const r = rule.toUpperCase();
  if (!["RESTRICT", "CASCADE", "SET NULL", "NO ACTION", "SET DEFAULT"].includes(r)) throw new Error(`unknown referential action ${rule}`);
  return r;
}

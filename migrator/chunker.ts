/**
 * The chunker: cuts a table into ranges of its copy key (primary key, or a NOT NULL unique key)
 * of about `chunkBytes`, so several workers can share a big table and later phases (resume,
 * verification) can name a key range. Ranges are half-open and contiguous: chunk i holds
 * `key >= lower AND key < upper`, the first has no lower and the last no upper bound, so together
 * they hold every row exactly once whatever the key values are. A table without a key is one chunk.
 */
import { raw } from "mysql2";
import type { Connection } from "mysql2/promise";
import { queryRows } from "./connect";
import type { PlanTable } from "./plan";
import { qualified, quoteId } from "./quote";

/** Key values as the metadata connection returns them: numbers, strings, or Buffers for binary columns. */
export type KeyValue = string | number | Buffer;

export interface Chunk {
  table: PlanTable;
  /** 0-based position within the table. */
  index: number;
  lower?: KeyValue[];
  upper?: KeyValue[];
}

const INTEGER_TYPES = new Set(["tinyint", "smallint", "mediumint", "int", "integer", "bigint"]);
/**
 * Key types whose `<`/`>=` against a literal orders exactly like ORDER BY. Not ENUM/SET (ordered by
 * index, compared as text), not FLOAT/DOUBLE or BIT: a table keyed on those is one chunk.
 */
const RANGE_TYPES = new Set([
  ...INTEGER_TYPES, "decimal", "char", "varchar", "binary", "varbinary", "date", "datetime", "timestamp", "time", "year",
]);

/**
 * A bound value as a literal of the column's own type: a quoted number would be compared as a
 * DOUBLE, which cannot tell BIGINT or DECIMAL values apart beyond 2^53.
 */
function literal(value: KeyValue, dataType: string): KeyValue | bigint | ReturnType<typeof raw> {
  if (INTEGER_TYPES.has(dataType) && (typeof value === "number" || typeof value === "string")) return BigInt(value);
  if (dataType === "decimal" && /^-?\d+(\.\d+)?$/.test(String(value))) return raw(String(value));
  return value;
}

/** `(a, b) >= (x, y)` written so every server uses the index: a > x OR (a = x AND b >= y). */
function tupleCompare(cols: string[], op: ">=" | "<", values: KeyValue[], params: unknown[], types: string[] = []): string {
  const strict = op === ">=" ? ">" : "<";
  const parts: string[] = [];
  for (let i = 0; i < cols.length; i++) {
    const eqs = cols.slice(0, i).map((c) => `${quoteId(c)} = ?`);
    const last = i === cols.length - 1 ? op : strict;
    parts.push([...eqs, `${quoteId(cols[i])} ${last} ?`].join(" AND "));
    params.push(...values.slice(0, i + 1).map((v, j) => literal(v, types[j] ?? "")));
  }
  return parts.length === 1 ? parts[0] : `(${parts.map((p) => `(${p})`).join(" OR ")})`;
}

/** The WHERE clause (without the keyword) of a chunk, with its parameters; empty for a whole table. */
export function chunkCondition(chunk: Chunk): { sql: string; params: unknown[] } {
  const cols = chunk.table.info.key;
  const types = keyTypes(chunk.table);
  const params: unknown[] = [];
  const parts: string[] = [];
  if (chunk.lower) parts.push(tupleCompare(cols, ">=", chunk.lower, params, types));
  if (chunk.upper) parts.push(tupleCompare(cols, "<", chunk.upper, params, types));
  return { sql: parts.join(" AND "), params };
}

/**
 * Chunks of about `chunkBytes` (from the source's average row length). Boundaries come from the
 * key itself: arithmetic on a single integer key, otherwise one index walk (LIMIT 1 OFFSET n).
 */
export async function planChunks(conn: Connection, t: PlanTable, chunkBytes: number): Promise<Chunk[]> {
  const { key, rowsEstimate, dataLength } = t.info;
  const whole: Chunk[] = [{ table: t, index: 0 }];
  if (key.length === 0 || rowsEstimate === 0) return whole;
  const types = keyTypes(t);
  if (!types.every((ty) => RANGE_TYPES.has(ty))) return whole;
  const avgRow = Math.max(1, dataLength / rowsEstimate);
  const rowsPerChunk = Math.max(1000, Math.floor(chunkBytes / avgRow));
  if (rowsEstimate < rowsPerChunk * 1.5) return whole;

  const table = qualified(t.sourceDb, t.sourceTable);
  const keyCol = t.info.columns.find((c) => c.name === key[0]);
  if (key.length === 1 && keyCol && INTEGER_TYPES.has(keyCol.dataType)) {
    const [{ lo, hi }] = await queryRows<{ lo: string | null; hi: string | null }>(
      conn,
      `SELECT MIN(${quoteId(key[0])}) AS lo, MAX(${quoteId(key[0])}) AS hi FROM ${table}`,
    );
    if (lo === null || hi === null) return whole;
    const min = BigInt(lo);
    const max = BigInt(hi);
    const pieces = BigInt(Math.ceil(rowsEstimate / rowsPerChunk));
    const step = (max - min + 1n + pieces - 1n) / pieces;
    // Dense keys: arithmetic boundaries are as good as walked ones and cost nothing.
    if (step > 0n && max - min + 1n <= BigInt(rowsEstimate) * 4n) {
      const bounds: KeyValue[][] = [];
      for (let b = min + step; b <= max; b += step) bounds.push([b.toString()]);
      return fromBounds(t, bounds);
    }
  }
  const cols = key.map(quoteId).join(", ");
  const bounds: KeyValue[][] = [];
  let prev: KeyValue[] | undefined;
  for (;;) {
    const params: unknown[] = [];
    const where = prev ? ` WHERE ${tupleCompare(key, ">=", prev, params, types)}` : "";
    const [rows] = await conn.query({ sql: `SELECT ${cols} FROM ${table}${where} ORDER BY ${cols} LIMIT 1 OFFSET ${rowsPerChunk}`, rowsAsArray: true }, params);
    const row = (rows as KeyValue[][])[0];
    if (!row) break;
    bounds.push(row);
    prev = row;
  }
  return fromBounds(t, bounds);
}

function keyTypes(t: PlanTable): string[] {
  return t.info.key.map((k) => t.info.columns.find((c) => c.name === k)?.dataType ?? "");
}

function fromBounds(t: PlanTable, bounds: KeyValue[][]): Chunk[] {
  const out: Chunk[] = [];
  for (let i = 0; i <= bounds.length; i++) {
    out.push({ table: t, index: i, lower: i > 0 ? bounds[i - 1] : undefined, upper: i < bounds.length ? bounds[i] : undefined });
  }
  return out;
}

/** `db.table [key >= (..) and < (..)]` for messages. */
export function describeChunk(c: Chunk): string {
  if (!c.lower && !c.upper) return "all rows";
  const show = (v: KeyValue[]) => `(${v.map((x) => (Buffer.isBuffer(x) ? `0x${x.toString("hex")}` : x)).join(", ")})`;
  const key = `(${c.table.info.key.join(", ")})`;
  return [c.lower ? `${key} >= ${show(c.lower)}` : "", c.upper ? `${key} < ${show(c.upper)}` : ""].filter(Boolean).join(" and ");
}

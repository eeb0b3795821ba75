/** The one place identifiers and values are quoted for SQL text. */

/** Quotes an identifier with backticks, doubling any backtick inside it. */
export function quoteId(name: string): string {
  if (name.length === 0) throw new Error("empty identifier");
  if (name.includes("\u0000")) throw new Error("identifier contains a NUL character");
  return "`" + name.replace(/`/g, "``") + "`";
}

/** `db`.`table` */
export function qualified(db: string, table: string): string {
  return `${quoteId(db)}.${quoteId(table)}`;
}

/** A string literal for SQL text (only for values that cannot be bound as `?`, e.g. in SHOW statements). */
export function quoteString(value: string): string {
  return (
    "'" +
    value.replace(/[\0\n\r\b\t\\'"\x1a]/g, (c) => {
      switch (c) {
        case "\0":
          return "\\0";
        case "\n":
          return "\\n";
        case "\r":
          return "\\r";
        case "\b":
          return "\\b";
        case "\t":
          return "\\t";
        case "\x1a":
          return "\\Z";
        default:
          return "\\" + c;
      }
    }) +
    "'"
  );
}

/** A table's display name in messages: db.table, with backticks only where needed. */
export function displayName(db: string, table?: string): string {
  const part = (s: string) => (/^[A-Za-z0-9_$]+$/.test(s) ? s : quoteId(s));
  return table === undefined ? part(db) : `${part(db)}.${part(table)}`;
}

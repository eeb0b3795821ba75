/**
 * Object selection patterns as the DTS console and MySQL Shell filters know them:
 * `db` (a whole database) or `db.table`, with `*` and `?` globs; a name containing a dot is
 * written in backticks (`` `my.db`.orders ``, a backtick inside doubled as in SQL).
 */

export interface ObjectPattern {
  /** The text as the user wrote it, for messages. */
  text: string;
  db: string;
  /** undefined: the whole database. */
  table?: string;
}

export interface Rename {
  text: string;
  db: string;
  /** Set for a table rename (`db.old=db.new` or `db.old=new`). */
  table?: string;
  toDb: string;
  toTable?: string;
}

/** Splits `a.b` into parts, honouring backtick quoting. Throws on malformed text. */
export function splitName(text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    let part = "";
    if (text[i] === "`") {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error(`unterminated backtick in "${text}"`);
        if (text[i] === "`") {
          if (text[i + 1] === "`") {
            part += "`";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i++];
      }
      if (i < text.length && text[i] !== ".") throw new Error(`expected "." after the quoted name in "${text}"`);
    } else {
      while (i < text.length && text[i] !== ".") {
        if (text[i] === "`") throw new Error(`a backtick must start a name in "${text}"`);
        part += text[i++];
      }
    }
    if (part.length === 0) throw new Error(`empty name in "${text}"`);
    parts.push(part);
    if (i >= text.length) break;
    i++; // the dot
    if (i >= text.length) throw new Error(`"${text}" ends with a dot`);
  }
  return parts;
}

export function parsePattern(text: string): ObjectPattern {
  const parts = splitName(text.trim());
  if (parts.length > 2) {
    throw new Error(`"${text}" has ${parts.length} parts: use db or db.table, and backticks around a name that contains a dot`);
  }
  return { text, db: parts[0], table: parts[1] };
}

export function parseRename(text: string): Rename {
  const eq = findUnquoted(text, "=");
  if (eq < 0) throw new Error(`"${text}" is not old=new`);
  const from = splitName(text.slice(0, eq).trim());
  const to = splitName(text.slice(eq + 1).trim());
  if (from.length > 2 || to.length > 2) throw new Error(`"${text}": use db=newdb or db.table=db.newtable`);
  if (from.some(hasGlob) || to.some(hasGlob)) throw new Error(`"${text}": renames take exact names, not patterns`);
  if (from.length === 1) {
    if (to.length !== 1) throw new Error(`"${text}": a database is renamed to a database name (db=newdb)`);
    return { text, db: from[0], toDb: to[0] };
  }
  if (to.length === 1) return { text, db: from[0], table: from[1], toDb: from[0], toTable: to[0] };
  return { text, db: from[0], table: from[1], toDb: to[0], toTable: to[1] };
}

function findUnquoted(text: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "`") quoted = !quoted;
    else if (!quoted && text[i] === ch) return i;
  }
  return -1;
}

export function hasGlob(name: string): boolean {
  return /[*?]/.test(name);
}

/** Glob (`*`, `?`) to an anchored RegExp; every other character literal. */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "s");
}

export function matches(p: ObjectPattern, db: string, table?: string): boolean {
  if (!globToRegExp(p.db).test(db)) return false;
  if (p.table === undefined) return true;
  return table !== undefined && globToRegExp(p.table).test(table);
}

/** System and internal schemas that are never migrated. */
export function isSystemSchema(db: string): boolean {
  const d = db.toLowerCase();
  return (
    ["mysql", "sys", "information_schema", "performance_schema"].includes(d) ||
    /^__.*__$/.test(d) // __recycle_bin__ and other internal schemas of POLARDB / RDS
  );
}

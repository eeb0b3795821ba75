/**
 * What the connected account may do, from `SHOW GRANTS FOR CURRENT_USER()` (information_schema
 * privilege tables can show only USAGE for managed-database master accounts).
 */
import type { Connection } from "mysql2/promise";
import { queryRows } from "./connect";

export interface Grant {
  privileges: Set<string>;
  /** `*` for all databases, else a name that may contain LIKE wildcards (`_`, `%`, escaped with `\`). */
  db: string;
  /** `*` for all tables of the database. */
  table: string;
}

export interface Grants {
  grants: Grant[];
  /** Roles granted to the account: their privileges are not visible here. */
  roles: string[];
}

function unquote(part: string): string {
  return part.startsWith("`") ? part.slice(1, -1).replace(/``/g, "`") : part;
}

/** Splits a privilege list at top-level commas: `SELECT, INSERT (a, b), UPDATE`. */
function splitPrivileges(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const c of list) {
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (c === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  // Column-level privileges ("INSERT (a)") do not allow table-wide loads: drop them.
  return out.map((p) => p.trim().toUpperCase()).filter((p) => p && !p.includes("("));
}

const NAME = "(?:`(?:[^`]|``)*`|[^.\\s`]+)";
const GRANT_ON = new RegExp(`^GRANT (.+?) ON (?:TABLE )?(${NAME})\\.(${NAME}) TO `, "i");

export function parseGrants(lines: string[]): Grants {
  const grants: Grant[] = [];
  const roles: string[] = [];
  for (const line of lines) {
    const m = GRANT_ON.exec(line);
    if (m) {
      const privs = splitPrivileges(m[1]);
      const set = new Set(privs.flatMap((p) => (p === "ALL" || p === "ALL PRIVILEGES" ? ["ALL"] : [p])));
      grants.push({ privileges: set, db: unquote(m[2]), table: unquote(m[3]) });
    } else if (/^GRANT [`'].* TO /i.test(line) && !/ ON /i.test(line)) {
      roles.push(line);
    }
  }
  return { grants, roles };
}

function likeMatches(pattern: string, name: string): boolean {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\" && i + 1 < pattern.length) re += pattern[++i].replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
    else if (c === "%") re += ".*";
    else if (c === "_") re += ".";
    else re += c.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "is").test(name);
}

/** The privileges the account has on `db.table` (table `*`: on the database as a whole). */
export function privilegesOn(g: Grants, db: string, table: string): Set<string> {
  const out = new Set<string>();
  for (const grant of g.grants) {
    const dbOk = grant.db === "*" || likeMatches(grant.db, db);
    const tableOk = grant.table === "*" || (table !== "*" && grant.table.toLowerCase() === table.toLowerCase());
    if (dbOk && tableOk) for (const p of grant.privileges) out.add(p);
  }
  return out;
}

export function missingPrivileges(have: Set<string>, need: string[]): string[] {
  if (have.has("ALL")) return [];
  return need.filter((p) => !have.has(p));
}

export async function readGrants(conn: Connection): Promise<Grants> {
  const rows = await queryRows<Record<string, string>>(conn, "SHOW GRANTS FOR CURRENT_USER()");
  return parseGrants(rows.map((r) => Object.values(r)[0]));
}

/**
 * Views, triggers, stored procedures and functions, and events, as DTS's schema migration moves
 * them: exact definitions (SHOW CREATE, recreated under the sql_mode, character_set_client,
 * collation_connection and time_zone they were created with), the DEFINER policy applied, renamed
 * databases and tables rewritten where the reference is unambiguous, views in dependency order,
 * triggers after the data, events last and disabled.
 */
import type { Connection } from "mysql2/promise";
import { closeQuietly, openConnection, queryRows } from "./connect";
import type { Endpoint } from "./endpoint";
import type { MigrateOptions } from "./options";
import { matches, Rename } from "./pattern";
import { destinationDb, destinationOf, Plan } from "./plan";
import { displayName, qualified, quoteId } from "./quote";
import { mentionsWord, renameDatabaseRefs, renameTableRefs, rewriteCode } from "./sqltext";

export type ObjectKind = "view" | "trigger" | "procedure" | "function" | "event";
export type DefinerPolicy = MigrateOptions["definer"];

export interface SourceObject {
  kind: ObjectKind;
  db: string;
  name: string;
  /** The trigger's table. */
  table?: string;
  create: string;
  sqlMode: string;
  characterSetClient: string;
  collationConnection: string;
  timeZone?: string;
  /** `user`@`host` as printed. */
  definer?: string;
}

export interface PlannedObject extends SourceObject {
  targetDb: string;
  /** The statement run on the target (and what SHOW CREATE must print there, policy applied). */
  statement: string;
  /** Run after the CREATE (SQL SECURITY INVOKER for routines). */
  after: string[];
  /** What changed against the source definition, for the report. */
  changes: string[];
  /** Names it depends on, for views: other selected views and routines. */
  needs: string[];
}

/** What the report lists per object. */
export interface ObjectReport {
  kind: ObjectKind;
  source: string;
  target: string;
  status: "created" | "verified" | "mismatched";
  changes: string[];
  /** For events, created disabled: the statement that enables it at cut-over. */
  enable?: string;
  difference?: string;
}

const SHOW: Record<ObjectKind, { sql: string; column: string }> = {
  view: { sql: "SHOW CREATE VIEW", column: "Create View" },
  trigger: { sql: "SHOW CREATE TRIGGER", column: "SQL Original Statement" },
  procedure: { sql: "SHOW CREATE PROCEDURE", column: "Create Procedure" },
  function: { sql: "SHOW CREATE FUNCTION", column: "Create Function" },
  event: { sql: "SHOW CREATE EVENT", column: "Create Event" },
};

const KEYWORD: Record<ObjectKind, string> = { view: "VIEW", trigger: "TRIGGER", procedure: "PROCEDURE", function: "FUNCTION", event: "EVENT" };

type ShowRow = Record<string, string | null>;

export async function showCreate(conn: Connection, kind: ObjectKind, db: string, name: string): Promise<ShowRow | undefined> {
  const rows = await queryRows<ShowRow>(conn, `${SHOW[kind].sql} ${qualified(db, name)}`);
  return rows[0];
}

function fromShow(kind: ObjectKind, db: string, name: string, row: ShowRow, table?: string): SourceObject | undefined {
  const create = row[SHOW[kind].column];
  if (!create) return undefined;
  return {
    kind,
    db,
    name,
    table,
    create,
    sqlMode: row.sql_mode ?? "",
    characterSetClient: row.character_set_client ?? "utf8mb4",
    collationConnection: row.collation_connection ?? "utf8mb4_general_ci",
    timeZone: row.time_zone ?? undefined,
    definer: normalizeDefiner(DEFINER_RE.exec(create)?.[1]),
  };
}

export interface ObjectSelection {
  views: boolean;
  triggers: boolean;
  routines: boolean;
  events: boolean;
}

/**
 * The selected objects of the plan's databases: views like tables (by their name), triggers of
 * selected tables, routines and events of databases selected as a whole. `unreadable` lists
 * objects whose definition the source account may not see.
 */
export async function listObjects(
  conn: Connection,
  options: MigrateOptions,
  plan: Plan,
): Promise<{ objects: SourceObject[]; unreadable: string[] }> {
  const sel = options;
  const dbs = [...new Set(plan.databases.map((d) => d.sourceDb))];
  const out: SourceObject[] = [];
  const unreadable: string[] = [];
  if (dbs.length === 0) return { objects: out, unreadable };
  const wholeDb = (db: string) =>
    options.include.some((p) => p.table === undefined && matches(p, db)) && !options.exclude.some((p) => p.table === undefined && matches(p, db));
  const selected = (db: string, name: string) =>
    options.include.some((p) => matches(p, db, name)) && !options.exclude.some((p) => matches(p, db, name));
  const selectedTables = new Set(plan.tables.map((t) => `${t.sourceDb}\u0000${t.sourceTable}`));
  const add = async (kind: ObjectKind, db: string, name: string, table?: string) => {
    const row = await showCreate(conn, kind, db, name).catch(() => undefined);
    const o = row && fromShow(kind, db, name, row, table);
    if (o) out.push(o);
    else unreadable.push(`${kind} ${displayName(db, name)}`);
  };
  if (sel.views) {
    const rows = await queryRows<{ db: string; n: string }>(conn, "SELECT TABLE_SCHEMA AS db, TABLE_NAME AS n FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN (?) ORDER BY 1, 2", [dbs]);
    for (const r of rows) if (selected(r.db, r.n)) await add("view", r.db, r.n);
  }
  if (sel.routines) {
    const rows = await queryRows<{ db: string; n: string; t: string }>(
      conn,
      "SELECT ROUTINE_SCHEMA AS db, ROUTINE_NAME AS n, ROUTINE_TYPE AS t FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN (?) AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION') ORDER BY 1, 3, 2",
      [dbs],
    );
    for (const r of rows) if (wholeDb(r.db) && !options.exclude.some((p) => matches(p, r.db, r.n))) await add(r.t === "FUNCTION" ? "function" : "procedure", r.db, r.n);
  }
  if (sel.triggers) {
    const rows = await queryRows<{ db: string; n: string; t: string }>(
      conn,
      `SELECT TRIGGER_SCHEMA AS db, TRIGGER_NAME AS n, EVENT_OBJECT_TABLE AS t FROM information_schema.TRIGGERS
        WHERE TRIGGER_SCHEMA IN (?) ORDER BY TRIGGER_SCHEMA, EVENT_OBJECT_TABLE, EVENT_MANIPULATION, ACTION_TIMING, ACTION_ORDER`,
      [dbs],
    );
    for (const r of rows) if (selectedTables.has(`${r.db}\u0000${r.t}`)) await add("trigger", r.db, r.n, r.t);
  }
  if (sel.events) {
    const rows = await queryRows<{ db: string; n: string }>(conn, "SELECT EVENT_SCHEMA AS db, EVENT_NAME AS n FROM information_schema.EVENTS WHERE EVENT_SCHEMA IN (?) ORDER BY 1, 2", [dbs]);
    for (const r of rows) if (wholeDb(r.db) && !options.exclude.some((p) => matches(p, r.db, r.n))) await add("event", r.db, r.n);
  }
  return { objects: out, unreadable };
}

/** `user@host` from CURRENT_USER() as a DEFINER clause value. */
export function definerOf(currentUser: string): string {
  const at = currentUser.lastIndexOf("@");
  return `${quoteId(currentUser.slice(0, at))}@${quoteId(currentUser.slice(at + 1) || "%")}`;
}

/** DEFINER=`u`@`h`, or "u"@"h" when the object was created under ANSI_QUOTES, or 'u'@'h'. */
const QUOTED = "`(?:[^`]|``)*`|\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*'";
const DEFINER_RE = new RegExp(`DEFINER=((?:${QUOTED})@(?:${QUOTED})|CURRENT_USER(?:\\(\\))?)`);

/** `user`@`host` in backticks, whatever quotes the server printed. */
function normalizeDefiner(d: string | undefined): string | undefined {
  if (!d || !d.includes("@")) return d;
  const m = new RegExp(`^(${QUOTED})@(${QUOTED})$`).exec(d);
  if (!m) return d;
  const unq = (x: string) => x.slice(1, -1).split(x[0] + x[0]).join(x[0]);
  return `${quoteId(unq(m[1]))}@${quoteId(unq(m[2]))}`;
}

/** The DEFINER value in the quote style the original used, so SHOW CREATE prints it the same way. */
function definerInStyleOf(original: string, definer: string): string {
  const q = original[0];
  if (q !== '"' && q !== "'") return definer;
  const m = /^`((?:[^`]|``)*)`@`((?:[^`]|``)*)`$/.exec(definer);
  if (!m) return definer;
  const requote = (x: string) => q + x.replace(/``/g, "`").split(q).join(q + q) + q;
  return `${requote(m[1])}@${requote(m[2])}`;
}

/** Applies renames inside a definition; returns the text and the references that need a person. */
function applyRenames(o: SourceObject, rename: Rename[], targetDb: string): { text: string; unclear: string[] } {
  let text = o.create;
  const unclear: string[] = [];
  for (const r of rename) {
    if (r.table === undefined) text = renameDatabaseRefs(text, r.db, r.toDb);
  }
  for (const r of rename) {
    if (r.table === undefined) continue;
    const to = destinationOf(rename, r.db, r.table);
    // Qualified references (views print every name qualified) are unambiguous.
    text = renameTableRefs(text, destinationDb(rename, r.db), r.table, to.db, to.table);
    if (o.kind === "trigger" && o.db === r.db && o.table === r.table) {
      // The trigger's own table: the ON clause is structural.
      text = text.replace(new RegExp(`( ON )${escape(quoteId(r.table))}( FOR EACH ROW)`), `$1${quoteId(to.table)}$2`);
      text = text.replace(new RegExp(`( ON )${escape(r.table)}( FOR EACH ROW)`, "i"), `$1${quoteId(to.table)}$2`);
    }
    if (o.kind !== "view" && o.db === r.db && mentionsWord(bodyOf(text), r.table)) {
      unclear.push(`${o.kind} ${displayName(o.db, o.name)} mentions ${r.table} (renamed to ${displayName(to.db, to.table)}) without its database: check and adjust it by hand`);
    }
  }
  if (o.kind !== "view" && targetDb !== o.db && mentionsWord(bodyOf(text), o.db)) {
    unclear.push(`${o.kind} ${displayName(o.db, o.name)} names its database ${o.db} in a way that was not rewritten: check it by hand`);
  }
  return { text, unclear };
}

const escape = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

/** The part after the object's header (for triggers: after FOR EACH ROW; routines/events: all). */
function bodyOf(text: string): string {
  const m = /FOR EACH ROW/i.exec(text);
  return m ? text.slice(m.index + m[0].length) : text;
}

/** The target statement for one object under the DEFINER policy and the renames. */
export function planObject(o: SourceObject, options: MigrateOptions, targetUser: string): PlannedObject & { unclear: string[] } {
  const targetDb = destinationDb(options.rename, o.db);
  const { text, unclear } = applyRenames(o, options.rename, targetDb);
  let statement = text;
  const after: string[] = [];
  const changes: string[] = [];
  const policy: DefinerPolicy = options.definer;
  const me = definerOf(targetUser);
  if (policy !== "keep" && o.definer && o.definer !== me) {
    const printed = DEFINER_RE.exec(statement)?.[1] ?? "";
    statement = statement.replace(DEFINER_RE, () => `DEFINER=${definerInStyleOf(printed, me)}`);
    changes.push(`DEFINER ${o.definer} -> ${me}`);
  }
  if (policy === "invoker") {
    if (o.kind === "view" && /SQL SECURITY DEFINER VIEW /.test(statement.slice(0, statement.indexOf(" VIEW ") + 6))) {
      statement = statement.replace("SQL SECURITY DEFINER VIEW ", "SQL SECURITY INVOKER VIEW ");
      changes.push("SQL SECURITY DEFINER -> INVOKER");
    }
    if ((o.kind === "procedure" || o.kind === "function") && !/^\s*SQL SECURITY INVOKER\s*$/m.test(statement)) {
      after.push(`ALTER ${KEYWORD[o.kind]} ${qualified(targetDb, o.name)} SQL SECURITY INVOKER`);
      changes.push("SQL SECURITY DEFINER -> INVOKER");
    }
  }
  if (o.kind === "event") {
    // Like a replica: created disabled, so the job does not run twice during the cut-over.
    const before = statement;
    statement = statement.replace(/(ON COMPLETION (?:NOT )?PRESERVE )(ENABLE|DISABLE ON SLAVE|DISABLE)/, "$1DISABLE");
    if (before !== statement) changes.push("created DISABLED");
  }
  const needs: string[] = [];
  if (o.kind === "view") {
    const re = /`((?:[^`]|``)+)`\.`((?:[^`]|``)+)`/g;
    rewriteCode(o.create.slice(o.create.indexOf(" AS ")), (code) => {
      for (const m of code.matchAll(re)) needs.push(`${m[1].replace(/``/g, "`")}\u0000${m[2].replace(/``/g, "`")}`);
      return code;
    });
  }
  return { ...o, targetDb, statement, after, changes, needs: [...new Set(needs)], unclear };
}

/** Views in an order where each comes after the views it reads; a cycle is reported. */
export function orderViews(views: PlannedObject[]): { ordered: PlannedObject[]; cycle: string[] } {
  const key = (o: { db: string; name: string }) => `${o.db}\u0000${o.name}`;
  const byKey = new Map(views.map((v) => [key(v), v]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const ordered: PlannedObject[] = [];
  const cycle: string[] = [];
  const visit = (v: PlannedObject) => {
    const k = key(v);
    if (done.has(k)) return;
    if (visiting.has(k)) {
      cycle.push(displayName(v.db, v.name));
      return;
    }
    visiting.add(k);
    for (const n of v.needs) {
      const dep = byKey.get(n);
      if (dep && n !== k) visit(dep);
    }
    visiting.delete(k);
    done.add(k);
    ordered.push(v);
  };
  for (const v of views) visit(v);
  return { ordered, cycle: [...new Set(cycle)] };
}

const DROP: Record<ObjectKind, string> = { view: "DROP VIEW IF EXISTS", trigger: "DROP TRIGGER IF EXISTS", procedure: "DROP PROCEDURE IF EXISTS", function: "DROP FUNCTION IF EXISTS", event: "DROP EVENT IF EXISTS" };

/**
 * Creates objects on the target, each under the session settings it was created with on the
 * source; statements are sent in the object's own client character set.
 */
export async function createObjects(target: Endpoint, objects: PlannedObject[], replace: boolean): Promise<void> {
  const conns = new Map<string, Connection>();
  try {
    for (const o of objects) {
      const cs = o.characterSetClient.toLowerCase() === "utf8mb3" ? "utf8" : o.characterSetClient;
      let conn = conns.get(cs);
      if (!conn) {
        conn = await openConnection(target, "target", { charset: cs });
        conns.set(cs, conn);
      }
      await conn.query(`USE ${quoteId(o.targetDb)}`);
      await conn.query("SET SESSION sql_mode = ?, SESSION collation_connection = ?, SESSION time_zone = ?", [o.sqlMode, o.collationConnection, o.timeZone ?? "+00:00"]);
      if (replace) await conn.query(`${DROP[o.kind]} ${qualified(o.targetDb, o.name)}`);
      await conn.query(o.statement);
      for (const sql of o.after) await conn.query(sql);
    }
  } finally {
    for (const c of conns.values()) await closeQuietly(c);
  }
}

/** Compares each created object's SHOW CREATE on the target with what the policy says it must be. */
export async function verifyObjects(target: Connection, objects: PlannedObject[]): Promise<ObjectReport[]> {
  const out: ObjectReport[] = [];
  for (const o of objects) {
    const row = await showCreate(target, o.kind, o.targetDb, o.name).catch(() => undefined);
    const got = row && fromShow(o.kind, o.targetDb, o.name, row);
    const norm = (s: string) => (o.after.length ? s.replace(/\n?\s*SQL SECURITY (DEFINER|INVOKER)/g, "") : s);
    let difference: string | undefined;
    if (!got) difference = "missing on the target";
    else if (norm(got.create) !== norm(o.statement)) difference = `definition differs:\n  expected: ${o.statement}\n  found:    ${got.create}`;
    else if (got.sqlMode !== o.sqlMode && o.kind !== "view") difference = `sql_mode ${got.sqlMode} instead of ${o.sqlMode}`;
    else if (got.characterSetClient !== o.characterSetClient || got.collationConnection !== o.collationConnection) {
      difference = `character_set_client/collation_connection ${got.characterSetClient}/${got.collationConnection} instead of ${o.characterSetClient}/${o.collationConnection}`;
    } else if (o.kind === "event" && got.timeZone !== o.timeZone) difference = `time_zone ${got.timeZone} instead of ${o.timeZone}`;
    out.push({
      kind: o.kind,
      source: displayName(o.db, o.name),
      target: displayName(o.targetDb, o.name),
      status: difference ? "mismatched" : "verified",
      changes: o.changes,
      ...(o.kind === "event" ? { enable: `ALTER EVENT ${qualified(o.targetDb, o.name)} ENABLE` } : {}),
      ...(difference ? { difference } : {}),
    });
  }
  return out;
}

/**
 * The precheck: everything that can be known before anything is written, as a list of items
 * passed / warning / failed with a reason, like DTS's precheck page.
 */
import { createHash } from "node:crypto";
import type { Connection } from "mysql2/promise";
import { closeQuietly, ConnectError, openConnection, queryRows } from "./connect";
import { describeEndpoint } from "./endpoint";
import { redact, serverMessage } from "./errors";
import { formatBytes } from "./format";
import { missingPrivileges, privilegesOn, readGrants } from "./grants";
import type { MigrateOptions } from "./options";
import { matches } from "./pattern";
import { buildPlan, Plan, PlanTable, sourceBytesOf } from "./plan";
import { displayName, qualified } from "./quote";
import { showCreateTable } from "./schema";
import type { PrecheckItem } from "./types";
import { Ledger, LEDGER_TABLE, LedgerState, tableId } from "./ledger";
import { definerOf, listObjects, ObjectKind, orderViews, PlannedObject, planObject } from "./objects";

/** What the precheck learned and the later phases reuse. */
export interface Session {
  options: MigrateOptions;
  source?: Connection;
  target?: Connection;
  plan?: Plan;
  /** SHOW CREATE TABLE of each selected source table, by `db\0table`. */
  ddl: Map<string, string>;
  /** Selected tables that already exist on the target (and are not a previous run's), by `targetDb\0targetTable`. */
  existing: Set<string>;
  /** An unfinished previous run's ledger on the target. */
  ledger?: LedgerState;
  /** The previous run's ledger matches these options: continue it. */
  resume: boolean;
  /** Views, triggers, routines and events to create, policy and renames applied. */
  objects: PlannedObject[];
  items: PrecheckItem[];
}

export const tableKey = (db: string, table: string) => `${db}\u0000${table}`;


export async function runPrecheck(options: MigrateOptions): Promise<Session> {
  const s: Session = { options, ddl: new Map(), existing: new Set(), items: [], resume: false, objects: [] };
  const add = (name: string, status: PrecheckItem["status"], reason: string) => s.items.push({ name, status, reason });
  const secrets = [options.source.password, options.target.password];

  for (const role of ["source", "target"] as const) {
    const ep = options[role];
    try {
      const conn = await openConnection(ep, role);
      const [{ v }] = await queryRows<{ v: string }>(conn, "SELECT VERSION() AS v");
      s[role] = conn;
      add(`${role} connection`, "passed", `connected to ${describeEndpoint(ep)} (server ${v})`);
    } catch (e) {
      add(`${role} connection`, "failed", e instanceof ConnectError ? e.message : redact(serverMessage(e), secrets));
    }
  }
  if (!s.source || !s.target) return s;
  const { source, target } = s;

  const [{ lctn }] = await queryRows<{ lctn: string }>(target, "SELECT @@lower_case_table_names AS lctn");
  const lowerCase = Number(lctn) !== 0;
  const plan = await buildPlan(source, options, lowerCase);
  s.plan = plan;

  add(
    "selected objects exist",
    plan.missing.length ? "failed" : plan.tables.length === 0 && plan.databases.length === 0 ? "failed" : "passed",
    plan.missing.length
      ? plan.missing.join("; ")
      : plan.tables.length === 0 && plan.databases.length === 0
        ? "the selection matches no table"
        : `${plan.tables.length} table(s) in ${plan.databases.length} database(s) selected`,
  );
  const nameProblems = [...plan.collisions, ...plan.unusedRenames];
  add("destination names", nameProblems.length ? "failed" : "passed", nameProblems.length ? nameProblems.join("; ") : "every destination name is unique");

  // Source: the account must be able to read each table and its definition.
  const denied: string[] = [];
  for (const t of plan.tables) {
    try {
      s.ddl.set(tableKey(t.sourceDb, t.sourceTable), await showCreateTable(source, t.sourceDb, t.sourceTable));
      await source.query(`SELECT 1 FROM ${qualified(t.sourceDb, t.sourceTable)} LIMIT 0`);
    } catch (e) {
      denied.push(`${displayName(t.sourceDb, t.sourceTable)}: ${redact(serverMessage(e), secrets)}`);
    }
  }
  denied.push(...(await invisibleTables(source, options, plan)));
  add("source read access", denied.length ? "failed" : "passed", denied.length ? denied.join("; ") : "the source account can read every selected table");
  const emptyDbs = plan.databases.filter((d) => !plan.tables.some((t) => t.sourceDb === d.sourceDb));
  if (emptyDbs.length) add("empty databases", "warning", `no tables in ${emptyDbs.map((d) => displayName(d.sourceDb)).join(", ")}: created empty on the target`);

  await checkLedger(s, plan, target, add);
  await checkTarget(s, plan, target, lowerCase, add);
  await checkObjects(s, plan, source, target, add);
  checkForeignKeys(plan, add);

  const sourceBytes = sourceBytesOf(plan.tables);
  if (options.targetCapacity === undefined) {
    add("target capacity", "warning", `no target capacity given: the target needs at least ${formatBytes(sourceBytes)} free (source data + indexes)`);
  } else if (sourceBytes > options.targetCapacity) {
    add("target capacity", "failed", `the selected tables take ${formatBytes(sourceBytes)} on the source, more than the target's ${formatBytes(options.targetCapacity)}: choose a larger target or select less`);
  } else {
    add("target capacity", "passed", `${formatBytes(sourceBytes)} of data and indexes fit into ${formatBytes(options.targetCapacity)}`);
  }

  await checkSnapshot(source, plan, add);

  const noKey = plan.tables.filter((t) => t.info.key.length === 0);
  if (noKey.length) {
    add("primary keys", "warning", `without a primary or unique key, so copied in one stream and reloaded from empty if interrupted: ${noKey.map((t) => displayName(t.sourceDb, t.sourceTable)).join(", ")}`);
  }
  const [{ sv }] = await queryRows<{ sv: string }>(source, "SELECT VERSION() AS sv");
  const [{ tv }] = await queryRows<{ tv: string }>(target, "SELECT VERSION() AS tv");
  const ver = (v: string) => v.split(/[.-]/).slice(0, 2).map(Number);
  const [smaj, smin] = ver(sv);
  const [tmaj, tmin] = ver(tv);
  add(
    "server versions",
    tmaj < smaj || (tmaj === smaj && tmin < smin) ? "warning" : "passed",
    `source ${sv}, target ${tv}`,
  );
  return s;
}

/**
 * Tables the source account cannot see are missing from information_schema, so a database-wide
 * selection would silently leave them out: such a selection needs SELECT on the whole database.
 */
async function invisibleTables(source: Connection, options: MigrateOptions, plan: Plan): Promise<string[]> {
  let grants;
  try {
    grants = await readGrants(source);
  } catch {
    return [];
  }
  if (grants.roles.length) return [];
  const out: string[] = [];
  for (const d of new Set(plan.databases.map((x) => x.sourceDb))) {
    const wide = options.include.some((p) => (p.table === undefined || /[*?]/.test(p.table)) && matches({ ...p, table: undefined }, d));
    if (wide && missingPrivileges(privilegesOn(grants, d, "*"), ["SELECT"]).length) {
      out.push(`the source account lacks SELECT on ${displayName(d)}.*, so tables it cannot see would be left out: grant SELECT on the whole database (ReadOnly on POLARDB) or select tables one by one`);
    }
  }
  return out;
}

/** The database that holds the resume ledger: the first destination database by name. */
export function ledgerDatabase(plan: Plan): string | undefined {
  return plan.databases.map((d) => d.targetDb).sort()[0];
}

/** What identifies "the same migration" for a resume: endpoints, selection, renames, index handling. */
export function fingerprint(o: MigrateOptions): string {
  const ep = (e: MigrateOptions["source"]) => `${e.user}@${e.host}:${e.port}`;
  return createHash("sha256")
    .update(JSON.stringify([ep(o.source), ep(o.target), o.include.map((p) => p.text), o.exclude.map((p) => p.text), o.rename.map((r) => r.text), o.deferIndexes]))
    .digest("hex");
}

async function checkLedger(s: Session, plan: Plan, target: Connection, add: Add): Promise<void> {
  const db = ledgerDatabase(plan);
  if (db === undefined) return;
  s.ledger = await Ledger.read(target, db);
  if (!s.ledger) return;
  const done = s.ledger.doneChunks.size;
  const total = [...s.ledger.tables.values()].reduce((n, t) => n + t.chunks.length, 0);
  if (s.options.restart) {
    add("resume", "warning", `--restart: the unfinished run started ${s.ledger.startedAt} is discarded; its ${s.ledger.tables.size} table(s) are dropped and copied again`);
  } else if (s.ledger.fingerprint === fingerprint(s.options)) {
    s.resume = true;
    add("resume", "passed", `continuing the run started ${s.ledger.startedAt}: ${done} of ${total} planned chunk(s) are already on the target`);
  } else {
    add("resume", "failed", `the target holds the bookkeeping of an unfinished run with other options (${displayName(db, LEDGER_TABLE)}): rerun that migration to finish it, or pass --restart to drop its tables and start over`);
  }
}

const KIND_PRIVILEGE: Record<ObjectKind, string[]> = {
  view: ["CREATE VIEW"],
  trigger: ["TRIGGER"],
  procedure: ["CREATE ROUTINE", "ALTER ROUTINE"],
  function: ["CREATE ROUTINE", "ALTER ROUTINE"],
  event: ["EVENT"],
};

/** Views, triggers, routines and events: readable, ordered, complete, creatable under the DEFINER policy. */
async function checkObjects(s: Session, plan: Plan, source: Connection, target: Connection, add: Add): Promise<void> {
  const { options } = s;
  if (!options.views && !options.triggers && !options.routines && !options.events) return;
  const { objects, unreadable } = await listObjects(source, options, plan);
  const [{ u }] = await queryRows<{ u: string }>(target, "SELECT CURRENT_USER() AS u");
  const planned = objects.map((o) => planObject(o, options, u));
  s.objects = planned;
  const count = (k: ObjectKind) => planned.filter((o) => o.kind === k).length;
  const list = planned.map((o) => `${o.kind} ${displayName(o.db, o.name)}${o.changes.length ? ` (${o.changes.join(", ")})` : ""}`);
  add(
    "schema objects",
    unreadable.length ? "failed" : "passed",
    unreadable.length
      ? `cannot read the definition of ${unreadable.join(", ")}: grant the source account SHOW VIEW, TRIGGER and SELECT on the databases (and SHOW CREATE ROUTINE / SELECT on mysql.proc for routines), or switch that kind off`
      : `${count("view")} view(s), ${count("trigger")} trigger(s), ${count("procedure")} procedure(s), ${count("function")} function(s), ${count("event")} event(s)${list.length ? ": " + list.join("; ") : ""}`,
  );
  if (planned.length === 0) return;

  // What each view reads must be selected (or be a selected routine); views are created in dependency order.
  const dbs = [...new Set(planned.flatMap((o) => o.needs.map((n) => n.split("\u0000")[0])))];
  const known = new Set(
    dbs.length
      ? (
          await queryRows<{ db: string; n: string }>(
            source,
            "SELECT TABLE_SCHEMA AS db, TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (?) UNION ALL SELECT ROUTINE_SCHEMA, ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN (?)",
            [dbs, dbs],
          )
        ).map((r) => `${r.db}\u0000${r.n}`)
      : [],
  );
  const provided = new Set([...plan.tables.map((t) => `${t.sourceDb}\u0000${t.sourceTable}`), ...planned.map((o) => `${o.db}\u0000${o.name}`)]);
  const broken: string[] = [];
  for (const v of planned.filter((o) => o.kind === "view")) {
    for (const n of v.needs) {
      if (known.has(n) && !provided.has(n)) {
        const [db, name] = n.split("\u0000");
        broken.push(`view ${displayName(v.db, v.name)} reads ${displayName(db, name)}, which is not selected: include it, or exclude the view`);
      }
    }
  }
  const { ordered, cycle } = orderViews(planned.filter((o) => o.kind === "view"));
  if (cycle.length) broken.push(`views that depend on each other in a circle: ${cycle.join(", ")}`);
  s.objects = [...planned.filter((o) => o.kind !== "view"), ...ordered];
  add("object dependencies", broken.length ? "failed" : "passed", broken.length ? broken.join("; ") : "every view reads only selected tables, views and routines");
  const unclear = planned.flatMap((o) => (o as PlannedObject & { unclear?: string[] }).unclear ?? []);
  if (unclear.length) add("renames inside objects", "warning", unclear.join("; "));

  // DEFINER and privileges on the target.
  try {
    const grants = await readGrants(target);
    const me = definerOf(u);
    const missing: string[] = [];
    for (const o of planned) {
      const m = missingPrivileges(privilegesOn(grants, o.targetDb, "*"), KIND_PRIVILEGE[o.kind]);
      if (m.length) missing.push(`${o.kind} ${displayName(o.targetDb, o.name)} needs ${m.join(", ")}`);
    }
    if (options.definer === "keep") {
      const foreign = planned.filter((o) => o.definer && o.definer !== me);
      const global = privilegesOn(grants, "*", "*");
      const canSetDefiner = ["SUPER", "SET USER", "SET_USER_ID", "SET_ANY_DEFINER", "ALL"].some((p) => global.has(p));
      for (const d of new Set(foreign.map((o) => o.definer!))) {
        try {
          await target.query(`SHOW GRANTS FOR ${d}`);
        } catch (e) {
          // 1141: no such account. Anything else (no privilege to look) leaves it to the server.
          if ((e as { errno?: number }).errno === 1141) {
            missing.push(`DEFINER ${d} does not exist on the target (${foreign.filter((o) => o.definer === d).map((o) => `${o.kind} ${displayName(o.db, o.name)}`).join(", ")}): create that account there, or use --definer migration-account`);
          }
        }
      }
      if (foreign.length && !canSetDefiner) {
        missing.push(
          `--definer keep needs SUPER (or SET USER / SET_USER_ID) on the target for ${foreign.map((o) => `${o.kind} ${displayName(o.db, o.name)} (DEFINER ${o.definer})`).join(", ")}; use --definer migration-account`,
        );
      }
    }
    add("object privileges", missing.length ? (grants.roles.length ? "warning" : "failed") : "passed", missing.length ? missing.join("; ") : "the target account may create every object");
  } catch (e) {
    add("object privileges", "warning", `cannot read the account's grants (${serverMessage(e)})`);
  }

  // Objects already on the target.
  const targetDbs = [...new Set(planned.map((o) => o.targetDb))];
  const existing = await queryRows<{ k: string; db: string; n: string }>(
    target,
    `SELECT 'view' AS k, TABLE_SCHEMA AS db, TABLE_NAME AS n FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN (?)
     UNION ALL SELECT 'trigger', TRIGGER_SCHEMA, TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA IN (?)
     UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_SCHEMA, ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN (?)
     UNION ALL SELECT 'event', EVENT_SCHEMA, EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA IN (?)`,
    [targetDbs, targetDbs, targetDbs, targetDbs],
  );
  const there = new Set(existing.map((r) => `${r.k}\u0000${r.db}\u0000${r.n}`));
  const clash = planned.filter((o) => there.has(`${o.kind}\u0000${o.targetDb}\u0000${o.name}`));
  if (clash.length && !s.resume && options.onExisting !== "drop" && !options.restart) {
    add("existing target objects", "failed", `already on the target: ${clash.map((o) => `${o.kind} ${displayName(o.targetDb, o.name)}`).join(", ")}; pass --on-existing drop to replace them`);
  } else if (clash.length) {
    add("existing target objects", "warning", `will be replaced: ${clash.map((o) => `${o.kind} ${displayName(o.targetDb, o.name)}`).join(", ")}`);
  }
}

/** How the readers will share one point in time, from the source account's grants. */
async function checkSnapshot(source: Connection, plan: Plan, add: Add): Promise<void> {
  try {
    const grants = await readGrants(source);
    const global = privilegesOn(grants, "*", "*");
    if (global.has("ALL") || global.has("RELOAD")) {
      add("consistent snapshot", "passed", "all readers start at one point in time under a brief FLUSH TABLES WITH READ LOCK");
      return;
    }
    const dbs = [...new Set(plan.tables.map((t) => t.sourceDb))];
    if (dbs.every((d) => !missingPrivileges(privilegesOn(grants, d, "*"), ["LOCK TABLES"]).length)) {
      add("consistent snapshot", "passed", "all readers start at one point in time under a brief LOCK TABLES ... READ");
      return;
    }
  } catch {
    /* fall through: unknown */
  }
  add(
    "consistent snapshot",
    "warning",
    "the source account may not lock tables (no RELOAD or LOCK TABLES), so readers start at slightly different moments: stop writes to the source for the run (as DTS requires); writes are detected from the binary log position and by the verification",
  );
}

type Add = (name: string, status: PrecheckItem["status"], reason: string) => void;

async function checkTarget(s: Session, plan: Plan, target: Connection, lowerCase: boolean, add: Add): Promise<void> {
  const { options } = s;
  const norm = (x: string) => (lowerCase ? x.toLowerCase() : x);
  const targetDbs = plan.databases.map((d) => d.targetDb);
  const existingRows = targetDbs.length
    ? await queryRows<{ db: string; t: string; type: string }>(
        target,
        "SELECT TABLE_SCHEMA AS db, TABLE_NAME AS t, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (?)",
        [lowerCase ? targetDbs.map((d) => d.toLowerCase()) : targetDbs],
      )
    : [];
  const existingDbs = new Set(
    (await queryRows<{ n: string }>(target, "SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA")).map((r) => norm(r.n)),
  );
  const found = new Map(existingRows.map((r) => [tableKey(norm(r.db), norm(r.t)), r]));
  const clash: string[] = [];
  for (const t of plan.tables) {
    const row = found.get(tableKey(norm(t.targetDb), norm(t.targetTable)));
    if (!row) continue;
    // A previous run's table: continued (resume) or dropped and copied again (--restart).
    if (s.ledger?.tables.has(tableId(t.targetDb, t.targetTable)) && (s.resume || options.restart)) continue;
    s.existing.add(tableKey(t.targetDb, t.targetTable));
    if (row.type !== "BASE TABLE") clash.push(`${displayName(t.targetDb, t.targetTable)} exists on the target as a ${row.type.toLowerCase()}`);
  }
  const existingNames = plan.tables.filter((t) => s.existing.has(tableKey(t.targetDb, t.targetTable))).map((t) => displayName(t.targetDb, t.targetTable));
  if (clash.length) add("existing target tables", "failed", clash.join("; "));
  else if (existingNames.length === 0) add("existing target tables", "passed", "no selected table exists on the target");
  else if (options.onExisting === "fail") {
    add("existing target tables", "failed", `already on the target: ${existingNames.join(", ")}; pass --on-existing drop|truncate|append (onExisting) to say what to do with them, or rename them`);
  } else {
    const mismatch = await compareExistingColumns(s, plan, target);
    add(
      "existing target tables",
      mismatch.length ? "failed" : "warning",
      mismatch.length ? mismatch.join("; ") : `${options.onExisting === "drop" ? "will be dropped and recreated" : options.onExisting === "truncate" ? "will be emptied" : "rows will be appended"}: ${existingNames.join(", ")}`,
    );
  }

  // Privileges of the target account.
  try {
    const grants = await readGrants(target);
    const missing: string[] = [];
    for (const d of plan.databases) {
      if (!existingDbs.has(norm(d.targetDb))) {
        const m = missingPrivileges(privilegesOn(grants, d.targetDb, "*"), ["CREATE"]);
        if (m.length) missing.push(`database ${displayName(d.targetDb)} does not exist and cannot be created (needs CREATE)`);
      }
    }
    const need = ["SELECT", "INSERT", "CREATE", "ALTER", ...(options.onExisting === "drop" || options.onExisting === "truncate" ? ["DROP"] : [])];
    for (const t of plan.tables) {
      const m = missingPrivileges(privilegesOn(grants, t.targetDb, t.targetTable), need);
      if (m.length) missing.push(`${displayName(t.targetDb, t.targetTable)}: missing ${m.join(", ")}`);
    }
    if (missing.length === 0) add("target privileges", "passed", "the target account can create, alter, load and read every target table");
    else if (grants.roles.length) add("target privileges", "warning", `not visible in the account's own grants (it has roles, whose privileges are not checked): ${missing.join("; ")}`);
    else add("target privileges", "failed", `${missing.join("; ")}: grant them to the target account (on RDS: ReadWrite on these databases)`);
  } catch (e) {
    add("target privileges", "warning", `cannot read the account's grants (${serverMessage(e)}); privileges are not checked`);
  }

  const [{ li }] = await queryRows<{ li: string }>(target, "SELECT @@global.local_infile AS li");
  add(
    "target local_infile",
    Number(li) === 1 ? "passed" : "failed",
    Number(li) === 1 ? "LOAD DATA LOCAL is allowed" : "the target has local_infile=OFF: set local_infile=ON in the instance's parameters (RDS console: Parameters)",
  );
  if (lowerCase) {
    const upper = plan.tables.filter((t) => t.targetDb !== t.targetDb.toLowerCase() || t.targetTable !== t.targetTable.toLowerCase());
    if (upper.length) {
      add("lower_case_table_names", "warning", `the target stores names in lower case: ${upper.map((t) => displayName(t.targetDb, t.targetTable)).join(", ")}`);
    }
  }
}

async function compareExistingColumns(s: Session, plan: Plan, target: Connection): Promise<string[]> {
  if (s.options.onExisting === "drop") return [];
  const out: string[] = [];
  for (const t of plan.tables.filter((x) => s.existing.has(tableKey(x.targetDb, x.targetTable)))) {
    const cols = await queryRows<{ c: string }>(
      target,
      "SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
      [t.targetDb, t.targetTable],
    );
    const have = new Set(cols.map((c) => c.c.toLowerCase()));
    const lacking = t.info.columns.filter((c) => !c.generated && !have.has(c.name.toLowerCase())).map((c) => c.name);
    if (lacking.length) out.push(`${displayName(t.targetDb, t.targetTable)} on the target lacks column(s) ${lacking.join(", ")}: use --on-existing drop`);
  }
  return out;
}

function checkForeignKeys(plan: Plan, add: Add): void {
  const selected = new Set(plan.tables.map((t) => tableKey(t.sourceDb, t.sourceTable)));
  const orphans: string[] = [];
  let count = 0;
  for (const t of plan.tables as PlanTable[]) {
    for (const fk of t.info.foreignKeys) {
      count++;
      if (!selected.has(tableKey(fk.refDb, fk.refTable))) {
        orphans.push(`${displayName(t.sourceDb, t.sourceTable)} (${fk.name}) references ${displayName(fk.refDb, fk.refTable)}, which is not selected: include it, or exclude the referencing table`);
      }
    }
  }
  add("foreign keys", orphans.length ? "failed" : "passed", orphans.length ? orphans.join("; ") : `${count} foreign key(s), all parents selected; added after the data`);
}

export async function closeSession(s: Session): Promise<void> {
  await Promise.all([closeQuietly(s.source), closeQuietly(s.target)]);
}

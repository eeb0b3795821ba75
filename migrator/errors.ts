/**
 * Error classes that map to the CLI's exit codes and to the Pulumi resource's failure message.
 * Every message is built without secrets; `redact` is the last line of defence for server text.
 */

/** Bad input: exit code 2, nothing was written. `field` names the option (`source`, `include[1]`, ...). */
export class InputError extends Error {
  constructor(message: string, readonly field?: string) {
    super(field ? `${field}: ${message}` : message);
    this.name = "InputError";
  }
}

/** The precheck found a failed item: exit code 2, nothing was written. */
export class PrecheckFailedError extends Error {
  constructor(readonly items: ReadonlyArray<{ name: string; status: string; reason: string }>) {
    super(
      "precheck failed:\n" +
        items
          .filter((i) => i.status === "failed")
          .map((i) => `  - ${i.name}: ${i.reason}`)
          .join("\n"),
    );
    this.name = "PrecheckFailedError";
  }
}

export type Phase = "connect" | "plan" | "precheck" | "schema" | "data" | "indexes" | "constraints" | "verify";

/** The migration failed part-way: exit code 1. Names the phase, the table and the server's message. */
export class MigrationError extends Error {
  constructor(
    readonly phase: Phase,
    readonly detail: string,
    readonly table?: string,
    readonly incompleteTables: string[] = [],
  ) {
    super(
      `${phase} phase failed${table ? ` on ${table}` : ""}: ${detail}` +
        (incompleteTables.length
          ? `\nthese target tables are incomplete and must not be used: ${incompleteTables.join(", ")}`
          : ""),
    );
    this.name = "MigrationError";
  }
}

/** Replaces every occurrence of each secret (and its URL-encoded form) with `***`. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) {
      out = out.split(form).join("***");
    }
  }
  return out;
}

/** The server's error text with code, without anything mysql2 may have echoed from the config. */
export function serverMessage(err: unknown): string {
  if (err && typeof err === "object") {
    const e = err as { code?: string; errno?: number; sqlMessage?: string; message?: string };
    const text = e.sqlMessage ?? e.message ?? String(err);
    return e.errno && e.code ? `${text} (${e.code} ${e.errno})` : e.code ? `${text} (${e.code})` : text;
  }
  return String(err);
}

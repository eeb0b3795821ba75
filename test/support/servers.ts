/**
 * The source and target servers of a jest run, started once by global-setup.ts. Test files read
 * them with `servers()`; `freshDatabaseName()` gives each test its own database names.
 */
import { readFileSync } from "node:fs";
import type { LocalServer } from "./mariadb";

export const SERVERS_ENV = "P2R_TEST_SERVERS";

export function servers(): { source: LocalServer; target: LocalServer } {
  const file = process.env[SERVERS_ENV];
  if (!file) throw new Error(`${SERVERS_ENV} is not set: run the tests with jest (global setup starts the servers)`);
  return JSON.parse(readFileSync(file, "utf8"));
}

let counter = 0;
/** A database name unique within this run, e.g. `t_types_1_k3j`. */
export function freshDatabaseName(prefix: string): string {
  counter++;
  return `${prefix}_${counter}_${Math.random().toString(36).slice(2, 6)}`;
}

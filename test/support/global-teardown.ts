/** Jest global teardown: stops both servers and removes their data, also after failed tests. */
import { readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { stopMariaDb, type LocalServer } from "./mariadb";
import { SERVERS_ENV } from "./servers";

export default async function globalTeardown(): Promise<void> {
  const file = process.env[SERVERS_ENV];
  if (!file) return;
  const { source, target } = JSON.parse(readFileSync(file, "utf8")) as { source: LocalServer; target: LocalServer };
  await Promise.all([stopMariaDb(source), stopMariaDb(target)]);
  rmSync(dirname(file), { recursive: true, force: true });
}

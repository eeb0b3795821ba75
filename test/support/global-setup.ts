/** Jest global setup: one source and one target MariaDB server for the whole run. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMariaDb } from "./mariadb";
import { SERVERS_ENV } from "./servers";

export default async function globalSetup(): Promise<void> {
  const [source, target] = await Promise.all([startMariaDb({ name: "source" }), startMariaDb({ name: "target" })]);
  const file = join(mkdtempSync(join(tmpdir(), "p2r-jest-")), "servers.json");
  writeFileSync(file, JSON.stringify({ source, target }));
  process.env[SERVERS_ENV] = file;
}

/** MigrationRun inputs (as the SDK's host receives them) for the jest harness's source and target servers. */
import type { LocalServer } from "./mariadb";
import type { Props } from "./provider-host";
import { servers } from "./servers";

export function harnessEndpoint(server: LocalServer): Props {
  return { host: server.host, port: server.port, user: server.adminUser, ssl: "disabled", sslCa: null };
}

/** Admin connections to both servers, the selection given, every tuning option left to the engine. */
export function harnessRunInputs(include: string[], rename: string[], overrides: Props = {}): Props {
  const { source, target } = servers();
  return {
    source: harnessEndpoint(source),
    target: harnessEndpoint(target),
    sourcePassword: source.adminPassword,
    targetPassword: target.adminPassword,
    include,
    exclude: [],
    rename,
    onExisting: "fail",
    threads: 2,
    targetCapacity: null,
    batchBytes: null,
    chunkBytes: null,
    deferIndexes: null,
    verify: null,
    restart: null,
    retries: null,
    ...overrides,
  };
}

/**
 * Throwaway MariaDB servers for tests, the demo and the bench: `mariadb-install-db` into a temp
 * dir, `mariadbd` on a free loopback port with its own socket and pid file, `local_infile` on and
 * the binary log on (as on RDS). `stop()` kills the server and removes its data; a watchdog
 * process does the same if the process that started the server dies without calling it.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection, Connection } from "mysql2/promise";

export interface LocalServer {
  name: string;
  host: string;
  port: number;
  socket: string;
  dir: string;
  pid: number;
  /** The `mariadbd` arguments, to start it again on the same data and port. */
  args: string[];
  /** Admin account with every privilege, reachable over TCP. */
  adminUser: string;
  adminPassword: string;
  /** mysql://admin:pw@127.0.0.1:port */
  url: string;
}

export interface StartOptions {
  name?: string;
  /** Extra `mariadbd` options, e.g. `--innodb-buffer-pool-size=1G`. */
  args?: string[];
  /** Pid of the process whose death stops the server (default: this process). */
  ownerPid?: number;
}

const BIN_DIRS = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"];

function findBinary(name: string): string {
  for (const d of BIN_DIRS) if (existsSync(join(d, name))) return join(d, name);
  throw new Error(`${name} not found: install it with apt-get install -y mariadb-server mariadb-client`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startMariaDb(opts: StartOptions = {}): Promise<LocalServer> {
  const name = opts.name ?? "db";
  const dir = mkdtempSync(join(tmpdir(), `p2r-${name}-`));
  const data = join(dir, "data");
  const socket = join(dir, "mysqld.sock");
  const pidFile = join(dir, "mysqld.pid");
  const asRoot = process.getuid?.() === 0;
  // Its own tmpdir: servers bootstrapped at the same moment otherwise clash on /tmp/#sql-temptable-*.
  const tmp = join(dir, "tmp");
  mkdirSync(tmp);
  try {
    execFileSync(
      findBinary("mariadb-install-db"),
      [
        "--no-defaults",
        `--datadir=${data}`,
        "--auth-root-authentication-method=socket",
        "--skip-test-db",
        `--tmpdir=${tmp}`,
        ...(asRoot ? ["--user=root"] : []),
      ],
      { stdio: "pipe" },
    );
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const port = await freePort();
  const args = [
    "--no-defaults",
    `--datadir=${data}`,
    `--socket=${socket}`,
    `--pid-file=${pidFile}`,
    `--port=${port}`,
    "--bind-address=127.0.0.1",
    "--skip-name-resolve",
    `--tmpdir=${tmp}`,
    `--log-error=${join(dir, "error.log")}`,
    "--local-infile=1",
    `--log-bin=${join(dir, "binlog")}`,
    "--server-id=1",
    "--binlog-format=ROW",
    "--innodb-buffer-pool-size=256M",
    "--innodb-log-file-size=256M",
    "--max-allowed-packet=64M",
    ...(asRoot ? ["--user=root"] : []),
    ...(opts.args ?? []),
  ];
  const pid = spawnServer(args);
  // Watchdog: stops the server and removes its files when the owner dies (e.g. jest killed).
  const owner = opts.ownerPid ?? process.pid;
  const watchdog = spawn(
    "sh",
    [
      "-c",
      `while kill -0 ${owner} 2>/dev/null; do sleep 1; done; [ -f '${pidFile}' ] && kill -9 "$(cat '${pidFile}')" 2>/dev/null; sleep 1; rm -rf '${dir}'`,
    ],
    { stdio: "ignore", detached: true },
  );
  watchdog.unref();

  const adminUser = "admin";
  const adminPassword = `Adm1n-${Math.random().toString(36).slice(2, 10)}`;
  let conn: Connection;
  try {
    conn = await waitUntilReady(socket, pid, dir);
  } catch (e) {
    killQuietly(pid);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  try {
    await conn.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [adminUser, adminPassword]);
    await conn.query(`GRANT ALL PRIVILEGES ON *.* TO ?@'%' WITH GRANT OPTION`, [adminUser]);
  } finally {
    await conn.end();
  }
  const server: LocalServer = {
    name,
    host: "127.0.0.1",
    port,
    socket,
    dir,
    pid,
    args,
    adminUser,
    adminPassword,
    url: `mysql://${adminUser}:${encodeURIComponent(adminPassword)}@127.0.0.1:${port}`,
  };
  writeFileSync(join(dir, "server.json"), JSON.stringify(server));
  return server;
}

function spawnServer(args: string[]): number {
  const child: ChildProcess = spawn(findBinary("mariadbd"), args, { stdio: "ignore", detached: true });
  child.unref();
  return child.pid!;
}

async function waitUntilReady(socket: string, pid: number, dir: string): Promise<Connection> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await createConnection({ socketPath: socket, user: "root" });
    } catch (e) {
      if (Date.now() > deadline || !isAlive(pid)) {
        const log = existsSync(join(dir, "error.log")) ? readFileSync(join(dir, "error.log"), "utf8").slice(-2000) : "";
        throw new Error(`mariadbd did not start: ${(e as Error).message}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Kills the server like a crash (SIGKILL), keeping its data. */
export async function crashMariaDb(server: LocalServer): Promise<void> {
  killQuietly(server.pid);
  while (isAlive(server.pid)) await new Promise((r) => setTimeout(r, 50));
}

/** Starts a crashed or stopped server again on the same data and port. */
export async function restartMariaDb(server: LocalServer): Promise<void> {
  server.pid = spawnServer(server.args);
  const c = await waitUntilReady(server.socket, server.pid, server.dir);
  await c.end();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** Stops the server and removes its files. Safe to call twice. */
export async function stopMariaDb(server: Pick<LocalServer, "pid" | "dir">): Promise<void> {
  killQuietly(server.pid, "SIGTERM");
  const deadline = Date.now() + 15_000;
  while (isAlive(server.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  killQuietly(server.pid, "SIGKILL");
  rmSync(server.dir, { recursive: true, force: true });
}

/** An admin connection (multiple statements allowed) for seeding and inspecting a test server. */
export async function adminConnection(server: LocalServer, database?: string): Promise<Connection> {
  return createConnection({
    host: server.host,
    port: server.port,
    user: server.adminUser,
    password: server.adminPassword,
    database,
    multipleStatements: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    charset: "utf8mb4",
  });
}

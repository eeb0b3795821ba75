/**
 * Connections to the source and target: lossless settings (numbers and dates as text, UTC session
 * time zone) and one clear message per kind of connection failure, never with the password.
 */
import { readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { createConnection, Connection, ConnectionOptions } from "mysql2/promise";
import { describeEndpoint, Endpoint } from "./endpoint";
import { redact, serverMessage } from "./errors";

export type Role = "source" | "target";

export type ConnectFailure = "auth" | "unreachable" | "tls" | "other";

export class ConnectError extends Error {
  constructor(readonly role: Role, readonly kind: ConnectFailure, message: string) {
    super(message);
    this.name = "ConnectError";
  }
}

export interface OpenOptions {
  /** Stream for `LOAD DATA LOCAL INFILE` statements of this connection. */
  infileStreamFactory?: (path: string) => Readable;
  /** Client character set (text of statements is encoded in it); default utf8mb4. */
  charset?: string;
}

function sslOptions(ep: Endpoint): ConnectionOptions["ssl"] {
  switch (ep.ssl) {
    case "disabled":
    case "preferred": // mysql2 has no opportunistic TLS; `preferred` connects in plain text
      return undefined;
    case "required":
      return { rejectUnauthorized: false };
    case "verify-ca":
    case "verify-identity": {
      const ca = ep.sslCa ? readFileSync(ep.sslCa, "utf8") : undefined;
      return {
        ca,
        rejectUnauthorized: true,
        ...(ep.ssl === "verify-ca" ? { checkServerIdentity: () => undefined } : {}),
      };
    }
  }
}

export async function openConnection(ep: Endpoint, role: Role, opts: OpenOptions = {}): Promise<Connection> {
  let conn: Connection;
  try {
    conn = await createConnection({
      host: ep.host,
      port: ep.port,
      user: ep.user,
      password: ep.password ?? "",
      ssl: sslOptions(ep),
      connectTimeout: 10_000,
      charset: opts.charset ?? "utf8mb4_general_ci",
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      decimalNumbers: false,
      multipleStatements: false,
      infileStreamFactory: opts.infileStreamFactory,
    });
  } catch (e) {
    throw classifyConnectError(e, ep, role);
  }
  // Swallow late socket errors on idle connections; the next query reports them.
  conn.on("error", () => undefined);
  await conn.query("SET SESSION time_zone = '+00:00'");
  return conn;
}

export function classifyConnectError(e: unknown, ep: Endpoint, role: Role): ConnectError {
  const err = e as { code?: string; errno?: number; message?: string };
  const code = err.code ?? "";
  const where = `${role} ${describeEndpoint(ep)}`;
  const text = redact(serverMessage(e), [ep.password]);
  if (err.errno === 1045 || code === "ER_ACCESS_DENIED_ERROR" || code === "ER_ACCESS_DENIED_NO_PASSWORD_ERROR") {
    return new ConnectError(
      role,
      "auth",
      `${where}: access denied for user "${ep.user}": check the password (${role === "source" ? "SOURCE" : "TARGET"}_PASSWORD or the URL) and that the account may connect from this machine`,
    );
  }
  if (
    code === "HANDSHAKE_NO_SSL_SUPPORT" ||
    /^(ERR_SSL|ERR_TLS|EPROTO|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code) ||
    /ssl|tls|certificate/i.test(err.message ?? "")
  ) {
    return new ConnectError(
      role,
      "tls",
      `${where}: TLS failed (${text}): the server ${code === "HANDSHAKE_NO_SSL_SUPPORT" ? "does not offer TLS" : "certificate was not accepted"}; fix the server's TLS or change ssl-mode in the URL`,
    );
  }
  if (["ECONNREFUSED", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNRESET"].includes(code)) {
    return new ConnectError(
      role,
      "unreachable",
      `${where}: cannot reach the server (${code}): check the host and port, and that this machine's address is in the ${role}'s whitelist`,
    );
  }
  return new ConnectError(role, "other", `${where}: cannot connect: ${text}`);
}

/** Rows of a query as plain objects, with a typed row shape. */
export async function queryRows<T>(conn: Connection, sql: string, values?: unknown[]): Promise<T[]> {
  const [rows] = await conn.query(sql, values);
  return rows as T[];
}

/** Closes a connection; one that is lost or stuck is destroyed after 2 s instead of waiting forever. */
export async function closeQuietly(conn: Connection | undefined): Promise<void> {
  if (!conn) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([conn.end(), new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
  } catch {
    /* already closed */
  } finally {
    clearTimeout(timer);
    conn.destroy();
  }
}

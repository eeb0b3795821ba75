/** Connection endpoints: parsing `mysql://user[:password]@host[:port][?ssl-mode=...]` URLs. */

export const SSL_MODES = ["disabled", "preferred", "required", "verify-ca", "verify-identity"] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface Endpoint {
  host: string;
  port: number;
  user: string;
  /** Never logged, never part of an error or a printed URL. */
  password?: string;
  /** `disabled`/`preferred`: plain TCP; `required`: TLS without certificate checks; `verify-*`: TLS checked against `sslCa`. */
  ssl: SslMode;
  /** PEM file with the CA certificate(s), for `verify-ca` / `verify-identity`. */
  sslCa?: string;
}

/** Parses a connection URL; throws an Error whose message never contains the password. */
export function parseEndpointUrl(text: string): Endpoint {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (!m) throw new Error("expected a URL like mysql://user:password@host:3306");
  if (!["mysql", "mariadb"].includes(m[1].toLowerCase())) {
    throw new Error(`unsupported scheme "${m[1]}": use mysql://user:password@host:3306`);
  }
  const hostPart = text.slice(text.lastIndexOf("@") + 1);
  const portText = /:(\d+)(?:[/?]|$)/.exec(hostPart.replace(/^\[[^\]]*\]/, ""))?.[1];
  if (portText !== undefined && (Number(portText) < 1 || Number(portText) > 65535)) {
    throw new Error(`port ${portText} is out of range 1-65535`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The URL may contain the password: describe the problem, not the text.
    throw new Error("malformed URL: expected mysql://user[:password]@host[:port] with special characters in user and password percent-encoded");
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw new Error("the URL has no host: expected mysql://user@host:3306");
  if (!url.username) throw new Error("the URL has no user: expected mysql://user@host:3306");
  const port = url.port ? Number(url.port) : 3306;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port ${url.port} is out of range 1-65535`);
  if (url.pathname && url.pathname !== "/") {
    throw new Error("the URL must not name a database; select databases with include instead");
  }
  let user: string;
  let password: string | undefined;
  try {
    user = decodeURIComponent(url.username);
    password = url.password ? decodeURIComponent(url.password) : undefined;
  } catch {
    throw new Error("user or password has a malformed percent-encoding");
  }
  let ssl: SslMode = "preferred";
  let sslCa: string | undefined;
  for (const [key, value] of url.searchParams) {
    const k = key.toLowerCase().replace(/_/g, "-");
    if (k === "ssl-mode" || k === "sslmode" || k === "ssl") {
      const v = value.toLowerCase().replace(/_/g, "-");
      const mode = v === "true" ? "required" : v === "false" ? "disabled" : v;
      if (!(SSL_MODES as readonly string[]).includes(mode)) {
        throw new Error(`ssl-mode "${value}" is not one of ${SSL_MODES.join(", ")}`);
      }
      ssl = mode as SslMode;
    } else if (k === "ssl-ca") {
      sslCa = value;
    } else {
      throw new Error(`unknown URL parameter "${key}": supported are ssl-mode and ssl-ca`);
    }
  }
  return { host, port, user, password, ssl, sslCa };
}

/** The endpoint as text for messages: never with the password. */
export function describeEndpoint(e: Pick<Endpoint, "host" | "port" | "user">): string {
  const host = e.host.includes(":") ? `[${e.host}]` : e.host;
  return `mysql://${encodeURIComponent(e.user)}@${host}:${e.port}`;
}

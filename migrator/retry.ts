/** Retries of transient failures with bounded exponential backoff; permanent errors fail at once. */
import { ConnectError } from "./connect";

/** Server errors that a new attempt can get past: lock waits, deadlocks, lost or killed connections, overload. */
const TRANSIENT_ERRNOS = new Set([
  1040, // too many connections
  1053, // server shutdown in progress
  1205, // lock wait timeout
  1213, // deadlock
  1317, // query interrupted
  1158, 1159, 1160, 1161, // network read/write errors
  1927, // connection killed (MariaDB)
  2006, // server has gone away
  2013, // lost connection during query
  4031, // disconnected by the server for inactivity
]);

const TRANSIENT_CODES = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ER_CON_COUNT_ERROR",
  "ER_CONNECTION_KILLED",
  "ER_LOCK_DEADLOCK",
  "ER_LOCK_WAIT_TIMEOUT",
  "ER_SERVER_SHUTDOWN",
]);

export function isTransient(e: unknown): boolean {
  if (e instanceof ConnectError) return e.kind === "unreachable" || /too many connections/i.test(e.message);
  const err = e as { errno?: number; code?: string; fatal?: boolean; message?: string };
  if (err?.errno !== undefined && TRANSIENT_ERRNOS.has(err.errno)) return true;
  if (err?.code !== undefined && TRANSIENT_CODES.has(err.code)) return true;
  return /Connection lost|connection is in closed state|Can't add new command when connection is in closed state/i.test(err?.message ?? "");
}

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** First delay; doubled each time, capped at 30 s, with up to 25% jitter. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 6, baseDelayMs: 500 };

export function delayFor(policy: RetryPolicy, attempt: number): number {
  const d = Math.min(30_000, policy.baseDelayMs * 2 ** attempt);
  return Math.round(d * (1 + Math.random() * 0.25));
}

/**
 * Runs `fn` until it succeeds, a permanent error, or the retries are used up. `onRetry` sees each
 * transient failure before the wait (to reconnect, clean up, log).
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
  onRetry: (e: unknown, attempt: number, delayMs: number) => Promise<void> | void = () => undefined,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= policy.retries || !isTransient(e)) throw e;
      const delay = delayFor(policy, attempt);
      await onRetry(e, attempt + 1, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

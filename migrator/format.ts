/** Human-readable text of the engine's reports, for the CLI and the demo. */
import type { MigrationReport, PrecheckItem, PrecheckReport } from "./types";

const MARK: Record<PrecheckItem["status"], string> = { passed: "ok  ", warning: "WARN", failed: "FAIL" };

export function formatPrecheck(r: Pick<PrecheckReport, "items">): string {
  return r.items.map((i) => `  [${MARK[i.status]}] ${i.name}: ${i.reason}`).join("\n");
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

export function formatReport(r: MigrationReport): string {
  const rows = r.tables.map((t) => [
    t.source === t.target ? t.source : `${t.source} -> ${t.target}`,
    t.verification ? `${t.status}, ${t.verification}` : t.status,
    String(t.rows),
    formatBytes(t.bytes),
    t.seconds.toFixed(2),
  ]);
  const head = ["table", "status", "rows", "bytes", "seconds"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ");
  const mbps = r.totals.seconds > 0 ? r.totals.bytes / 1024 ** 2 / r.totals.seconds : 0;
  return [
    line(head),
    ...rows.map(line),
    "",
    `${r.totals.tables} tables, ${r.totals.rows} rows, ${formatBytes(r.totals.bytes)} in ${r.totals.seconds.toFixed(2)} s (${mbps.toFixed(1)} MiB/s); ${r.verified ? "every chunk's rows and checksum verified equal on both sides" : "NOT verified"}; snapshot: ${r.snapshot}${r.resumed ? "; continued an unfinished run" : ""}`,
    ...(r.objects.length
      ? [
          "objects:",
          ...r.objects.map((o) => `  ${o.kind} ${o.source === o.target ? o.source : `${o.source} -> ${o.target}`}: ${o.status}${o.changes.length ? ` (${o.changes.join(", ")})` : ""}${o.enable ? `; enable at cut-over with: ${o.enable}` : ""}`),
        ]
      : []),
    ...(r.warnings.length ? ["warnings:", ...r.warnings.map((w) => `  - ${w}`)] : []),
  ].join("\n");
}

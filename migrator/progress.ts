/** Progress display: a bar on a TTY (cli-progress), plain lines otherwise. */
import { SingleBar } from "cli-progress";
import type { Progress } from "./types";

export interface ProgressView {
  update(p: Progress): void;
  stop(): void;
}

const MB = 1024 * 1024;

function rates(p: Progress, started: number) {
  const secs = Math.max(0.001, (Date.now() - started) / 1000);
  const mbps = p.bytesDone / MB / secs;
  const rowsPerSec = p.rowsDone / secs;
  const left = Math.max(0, p.rowsTotal - p.rowsDone);
  const eta = rowsPerSec > 0 && p.rowsTotal > 0 ? Math.round(left / rowsPerSec) : undefined;
  return { mbps, rowsPerSec, eta };
}

const etaText = (s?: number) => (s === undefined ? "?" : s >= 3600 ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`);

export function progressView(stream: NodeJS.WriteStream): ProgressView {
  const started = Date.now();
  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        format: "{phase} |{bar}| {percentage}% | tables {tablesDone}/{tablesTotal} | {rowsDone} rows | {rps} rows/s | {mbps} MB/s | ETA {etaText}",
        stream,
        hideCursor: true,
        clearOnComplete: false,
      },
    );
    let startedBar = false;
    return {
      update(p) {
        const total = Math.max(p.rowsTotal, p.rowsDone, 1);
        const { mbps, rowsPerSec, eta } = rates(p, started);
        const payload = { ...p, mbps: mbps.toFixed(1), rps: Math.round(rowsPerSec), etaText: etaText(eta) };
        if (!startedBar) {
          bar.start(total, p.rowsDone, payload);
          startedBar = true;
        }
        bar.setTotal(total);
        bar.update(p.rowsDone, payload);
      },
      stop() {
        if (startedBar) bar.stop();
      },
    };
  }
  let last = 0;
  let lastPhase = "";
  let lastTables = -1;
  return {
    update(p) {
      const now = Date.now();
      if (p.phase === lastPhase && p.tablesDone === lastTables && now - last < 5000) return;
      last = now;
      lastPhase = p.phase;
      lastTables = p.tablesDone;
      const { mbps, rowsPerSec, eta } = rates(p, started);
      stream.write(
        `[${p.phase}] tables ${p.tablesDone}/${p.tablesTotal}, rows ${p.rowsDone}/~${p.rowsTotal}, ${Math.round(rowsPerSec)} rows/s, ${mbps.toFixed(1)} MB/s, ETA ${etaText(eta)}\n`,
      );
    },
    stop() {},
  };
}

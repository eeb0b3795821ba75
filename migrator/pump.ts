/**
 * The hot path: rows of one source SELECT, encoded to TSV as mysql2 parses them (one callback per
 * row, each column a Buffer slice of the packet: no streams, promises or strings per row) and
 * handed out as a series of Readables, one per LOAD DATA statement. Flow control pauses the source
 * socket while the target socket is full or between two statements, so memory stays bounded by a
 * few socket buffers whatever the table's size.
 */
import { Readable, Writable } from "node:stream";
import type { Connection as CoreConnection, Query } from "mysql2";
import { TsvWriter } from "./tsv";

type RawRow = Array<Buffer | null>;

/** Pieces handed to mysql2: each becomes one protocol packet, well below the 16 MB limit. */
const PIECE = 256 * 1024;
/** Bytes queued on the target socket before the source is paused. */
const TARGET_HIGH_WATER = 4 * 1024 * 1024;

export interface BatchResult {
  rows: number;
  bytes: number;
}

export class RowPump {
  private readonly writer = new TsvWriter(PIECE * 2);
  private current?: Readable;
  private paused = false;
  private waitingForDrain = false;
  private error?: Error;
  /** The SELECT has delivered its last row. */
  private ended = false;
  private limit = Infinity;
  /** Rows and bytes encoded for the batch being handed out (or the next one). */
  private rows = 0;
  private bytes = 0;
  /** Encoded but not yet reported to onProgress. */
  private unshownRows = 0;
  private unshownBytes = 0;
  /** What the last finished batch held. */
  last: BatchResult = { rows: 0, bytes: 0 };
  /** Every row has been handed out. */
  finished = false;
  private readonly cleanup: () => void;

  constructor(
    private readonly source: CoreConnection,
    query: Query,
    private readonly target: Writable,
    private readonly onProgress: (rows: number, bytes: number) => void,
  ) {
    const onRow = (row: RawRow) => {
      const n = this.writer.writeRow(row);
      this.rows++;
      this.bytes += n;
      this.unshownRows++;
      this.unshownBytes += n;
      if (this.bytes >= this.limit) this.endBatch();
      else if (this.writer.length >= PIECE) this.flush();
    };
    const onEnd = () => {
      this.ended = true;
      this.endBatch();
    };
    const onError = (e: unknown) => this.fail(e);
    const onClose = () => this.fail(Object.assign(new Error("the source connection was closed"), { code: "PROTOCOL_CONNECTION_LOST" }));
    const onDrain = () => {
      this.waitingForDrain = false;
      this.resume();
    };
    const socket = (source as unknown as { stream: Readable }).stream;
    query.on("result", onRow);
    query.on("end", onEnd);
    query.on("error", onError);
    // mysql2 reports a lost connection (KILL, network) on the connection, not on a paused query.
    source.on("error", onError);
    socket.on("close", onClose);
    target.on("drain", onDrain);
    this.cleanup = () => {
      query.removeListener("result", onRow);
      query.removeListener("end", onEnd);
      query.removeListener("error", onError);
      source.removeListener("error", onError);
      socket.removeListener("close", onClose);
      target.removeListener("drain", onDrain);
    };
  }

  private pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.source.pause();
    }
  }

  private resume(): void {
    if (this.paused && this.current && !this.waitingForDrain && !this.error) {
      this.paused = false;
      this.source.resume();
    }
  }

  /** Hands the encoded rows to the open statement, or holds them (and the source) until there is one. */
  private flush(): void {
    if (!this.current) {
      this.pause();
      return;
    }
    if (this.writer.length > 0) {
      this.onProgress(this.unshownRows, this.unshownBytes);
      this.unshownRows = this.unshownBytes = 0;
      if (!this.current.push(this.writer.take())) this.pause();
    }
    if (this.target.writableLength > TARGET_HIGH_WATER) {
      this.waitingForDrain = true;
      this.pause();
    }
  }

  private endBatch(): void {
    if (!this.current) {
      this.pause();
      return;
    }
    this.flush();
    this.last = { rows: this.rows, bytes: this.bytes };
    this.rows = this.bytes = 0;
    this.current.push(null);
    this.current = undefined;
    if (this.ended) this.finished = true;
    else this.pause();
  }

  private fail(e: unknown): void {
    if (this.error) return;
    this.error = e instanceof Error ? e : new Error(String(e));
    // End the statement's data rather than destroying the stream: mysql2 may not be listening yet,
    // and an ended file lets the server finish the LOAD at once (the caller then rolls it back)
    // instead of waiting for data until net_read_timeout while holding its locks.
    this.current?.push(null);
    this.current = undefined;
  }

  /** Throws the source's error, if the SELECT failed or its connection was lost. */
  check(): void {
    if (this.error) throw this.error;
  }

  /** The next statement's data: rows until about `limitBytes`, or to the end. */
  nextBatch(limitBytes: number): Readable {
    this.check();
    this.limit = limitBytes;
    const readable = new Readable({ read: () => this.resume(), highWaterMark: PIECE * 4 });
    this.current = readable;
    // Rows encoded while no statement was open belong to this one.
    queueMicrotask(() => {
      if (this.current !== readable) return;
      if (this.ended || this.bytes >= this.limit) this.endBatch();
      else this.flush();
      this.resume();
    });
    return readable;
  }

  close(): void {
    this.cleanup();
    // The connection serves the next chunk: never leave it paused.
    if (this.paused) {
      this.paused = false;
      this.source.resume();
    }
  }
}

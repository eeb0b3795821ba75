/**
 * Encodes rows of raw column bytes for `LOAD DATA ... CHARACTER SET binary FIELDS TERMINATED BY
 * '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n'`: NULL as \N, and `\`, TAB and LF escaped, every
 * other byte as it is. Rows are appended to a growing buffer so the hot path makes no strings.
 */

const BACKSLASH = 0x5c;
const TAB = 0x09;
const LF = 0x0a;
const NULL_MARK = Buffer.from("\\N");

export class TsvWriter {
  private buf: Buffer;
  private len = 0;

  constructor(initial = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Appends one row; returns the number of bytes it took. */
  writeRow(values: ReadonlyArray<Buffer | null>): number {
    const start = this.len;
    for (let i = 0; i < values.length; i++) {
      if (i > 0) {
        this.reserve(1);
        this.buf[this.len++] = TAB;
      }
      const v = values[i];
      if (v === null) {
        this.reserve(2);
        NULL_MARK.copy(this.buf, this.len);
        this.len += 2;
        continue;
      }
      this.reserve(v.length * 2);
      const out = this.buf;
      let o = this.len;
      let from = 0;
      for (let j = 0; j < v.length; j++) {
        const b = v[j];
        if (b === BACKSLASH || b === TAB || b === LF) {
          if (j > from) {
            v.copy(out, o, from, j);
            o += j - from;
          }
          out[o++] = BACKSLASH;
          out[o++] = b === BACKSLASH ? BACKSLASH : b === TAB ? 0x74 /* t */ : 0x6e /* n */;
          from = j + 1;
        }
      }
      if (v.length > from) {
        v.copy(out, o, from, v.length);
        o += v.length - from;
      }
      this.len = o;
    }
    this.reserve(1);
    this.buf[this.len++] = LF;
    return this.len - start;
  }

  /** Returns the bytes written so far (a copy) and starts over. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    return out;
  }
}

/** The LOAD DATA clauses matching TsvWriter's format. */
export const TSV_LOAD_FORMAT = "CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'";

/**
 * Rewriting SQL text the server printed (SHOW CREATE ...) without touching string literals or
 * comments: only the code between them is passed to the rewrite.
 */

/** Splits SQL into code and non-code (quoted strings, comments) pieces. Backtick names stay in code. */
export function splitSql(text: string): { code: boolean; text: string }[] {
  const out: { code: boolean; text: string }[] = [];
  let i = 0;
  let start = 0;
  const push = (end: number, code: boolean) => {
    if (end > start) out.push({ code, text: text.slice(start, end) });
    start = end;
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "'" || c === '"') {
      push(i, true);
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === "\\") j += 2;
        else if (text[j] === c && text[j + 1] === c) j += 2;
        else if (text[j] === c) break;
        else j++;
      }
      i = Math.min(j + 1, text.length);
      push(i, false);
    } else if (c === "`") {
      // a quoted name: part of the code, but skip over it so a quote inside does not start a string
      let j = i + 1;
      while (j < text.length && !(text[j] === "`" && text[j + 1] !== "`")) j += text[j] === "`" ? 2 : 1;
      i = j + 1;
    } else if ((c === "-" && next === "-" && /\s/.test(text[i + 2] ?? " ")) || c === "#") {
      push(i, true);
      const j = text.indexOf("\n", i);
      i = j < 0 ? text.length : j;
      push(i, false);
    } else if (c === "/" && next === "*" && text[i + 2] !== "!") {
      push(i, true);
      const j = text.indexOf("*/", i + 2);
      i = j < 0 ? text.length : j + 2;
      push(i, false);
    } else i++;
  }
  push(text.length, true);
  return out;
}

export function rewriteCode(text: string, fn: (code: string) => string): string {
  return splitSql(text)
    .map((p) => (p.code ? fn(p.text) : p.text))
    .join("");
}

const escapeRe = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
const q = (s: string) => "`" + s.replace(/`/g, "``") + "`";

/** Replaces qualified references to database `from` (`` `from`. `` and a bare `from.`) by `to`, in code only. */
export function renameDatabaseRefs(text: string, from: string, to: string): string {
  if (from === to) return text;
  const quoted = new RegExp(`${escapeRe(q(from))}\\.`, "g");
  const bare = /^[A-Za-z0-9_$]+$/.test(from) ? new RegExp(`(?<![\\w$\`.])${escapeRe(from)}\\.(?=[\`A-Za-z_$])`, "g") : undefined;
  return rewriteCode(text, (code) => {
    let out = code.replace(quoted, `${q(to)}.`);
    if (bare) out = out.replace(bare, `${q(to)}.`);
    return out;
  });
}

/** Replaces `` `db`.`table` `` by the new qualified name, in code only. */
export function renameTableRefs(text: string, db: string, table: string, toDb: string, toTable: string): string {
  const re = new RegExp(`${escapeRe(q(db))}\\.${escapeRe(q(table))}(?![\\w\`])`, "g");
  return rewriteCode(text, (code) => code.replace(re, `${q(toDb)}.${q(toTable)}`));
}

/** Whether a bare word (an unqualified name) appears in the code. */
export function mentionsWord(text: string, word: string): boolean {
  const re = new RegExp(`(?<![\\w$.])(?:${escapeRe(word)}|${escapeRe(q(word))})(?![\\w$])`, "i");
  return splitSql(text).some((p) => p.code && re.test(p.text));
}

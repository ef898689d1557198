// Small text helpers for scenario files: quote-aware word splitting (for
// `shell` lines and condition text), durations, and `${NAME}` substitution.

export class ScenarioSyntaxError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'ScenarioSyntaxError';
  }
}

// Splits like a POSIX shell does, without expanding anything: 'single quotes'
// keep everything, "double quotes" honour \" and \\, a backslash outside
// quotes escapes the next character. With comments, an unquoted '#' that
// starts a word ends the line. Throws on an unterminated quote.
export function splitWords(text: string, comments = false): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (comments && c === '#' && !inWord) break;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ScenarioSyntaxError(`unterminated single quote in: ${text}`);
      cur += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i];
        if (d === '\\' && i + 1 < text.length && (text[i + 1] === '"' || text[i + 1] === '\\')) { cur += text[i + 1]; i += 2; continue; }
        if (d === '"') { closed = true; i++; break; }
        cur += d;
        i++;
      }
      if (!closed) throw new ScenarioSyntaxError(`unterminated double quote in: ${text}`);
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

// 500ms, 2s, 1.5s, 1m; a bare number is seconds.
export function parseDuration(word: string | undefined, what = 'duration'): number {
  if (word === undefined) throw new ScenarioSyntaxError(`missing ${what}: expected e.g. 500ms, 2s or 1m`);
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(word);
  if (!m) throw new ScenarioSyntaxError(`invalid ${what} '${word}': expected a number with ms, s or m, e.g. 500ms, 2s, 1m`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']);
}

export function formatDuration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

// ${NAME} from vars, then from the environment; $${ is a literal ${.
export function substitute(text: string, vars: Map<string, string>): string {
  return text.replace(/\$(\$?)\{([^}]*)\}/g, (whole, escape: string, name: string) => {
    if (escape) return whole.slice(1);
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw new ScenarioSyntaxError(`invalid variable name '\${${name}}'`);
    const v = vars.get(name) ?? process.env[name];
    if (v === undefined) {
      const known = [...vars.keys()].sort();
      throw new ScenarioSyntaxError(`undefined variable '\${${name}}'`,
        `define it with 'set var ${name} VALUE' or '--var ${name}=VALUE'${known.length ? `; defined: ${known.join(', ')}` : ''}`);
    }
    return v;
  });
}

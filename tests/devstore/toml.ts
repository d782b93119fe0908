/**
 * A tiny TOML reader for the subset shopify.app.toml uses: comments, [tables],
 * [[arrays of tables]], dotted/quoted keys, basic and literal strings (also
 * multi-line), integers, floats, booleans, (multi-line) arrays and inline tables.
 * Dates are returned as strings. It is not a general TOML implementation.
 */
export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export function parseToml(src: string): TomlTable {
  const root: TomlTable = {};
  let current: TomlTable = root;
  let i = 0;
  const n = src.length;

  const fail = (msg: string): never => {
    const line = src.slice(0, i).split("\n").length;
    throw new Error(`toml: ${msg} (line ${line})`);
  };
  const skipWs = () => {
    while (i < n && (src[i] === " " || src[i] === "\t")) i++;
  };
  const skipWsNlComments = () => {
    for (;;) {
      while (i < n && /[ \t\r\n]/.test(src[i])) i++;
      if (src[i] === "#") {
        while (i < n && src[i] !== "\n") i++;
        continue;
      }
      break;
    }
  };
  const endOfLine = () => {
    skipWs();
    if (src[i] === "#") while (i < n && src[i] !== "\n") i++;
    if (i < n && src[i] === "\r") i++;
    if (i < n && src[i] !== "\n") fail(`unexpected '${src[i]}'`);
    i++;
  };

  const parseBasicString = (): string => {
    // at opening quote(s)
    const multi = src.startsWith('"""', i);
    i += multi ? 3 : 1;
    if (multi && src[i] === "\n") i++;
    let out = "";
    for (;;) {
      if (i >= n) fail("unterminated string");
      if (multi ? src.startsWith('"""', i) : src[i] === '"') {
        i += multi ? 3 : 1;
        return out;
      }
      const c = src[i];
      if (!multi && c === "\n") fail("newline in string");
      if (c === "\\") {
        const e = src[i + 1];
        i += 2;
        if (e === "n") out += "\n";
        else if (e === "t") out += "\t";
        else if (e === "r") out += "\r";
        else if (e === '"') out += '"';
        else if (e === "\\") out += "\\";
        else if (e === "b") out += "\b";
        else if (e === "f") out += "\f";
        else if (e === "u" || e === "U") {
          const len = e === "u" ? 4 : 8;
          out += String.fromCodePoint(parseInt(src.slice(i, i + len), 16));
          i += len;
        } else if (multi && (e === "\n" || e === " " || e === "\r")) {
          while (i < n && /[ \t\r\n]/.test(src[i])) i++;
        } else fail(`bad escape \\${e}`);
        continue;
      }
      out += c;
      i++;
    }
  };
  const parseLiteralString = (): string => {
    const multi = src.startsWith("'''", i);
    i += multi ? 3 : 1;
    if (multi && src[i] === "\n") i++;
    const end = src.indexOf(multi ? "'''" : "'", i);
    if (end < 0) fail("unterminated string");
    const s = src.slice(i, end);
    if (!multi && s.includes("\n")) fail("newline in string");
    i = end + (multi ? 3 : 1);
    return s;
  };
  const parseKeyPart = (): string => {
    skipWs();
    if (src[i] === '"') return parseBasicString();
    if (src[i] === "'") return parseLiteralString();
    const m = /^[A-Za-z0-9_-]+/.exec(src.slice(i, i + 200));
    if (!m) fail("bad key");
    i += m![0].length;
    return m![0];
  };
  const parseKey = (): string[] => {
    const parts = [parseKeyPart()];
    skipWs();
    while (src[i] === ".") {
      i++;
      parts.push(parseKeyPart());
      skipWs();
    }
    return parts;
  };
  const parseValue = (): TomlValue => {
    skipWs();
    const c = src[i];
    if (c === '"') return parseBasicString();
    if (c === "'") return parseLiteralString();
    if (c === "[") {
      i++;
      const arr: TomlValue[] = [];
      for (;;) {
        skipWsNlComments();
        if (src[i] === "]") {
          i++;
          return arr;
        }
        arr.push(parseValue());
        skipWsNlComments();
        if (src[i] === ",") {
          i++;
          continue;
        }
        if (src[i] === "]") {
          i++;
          return arr;
        }
        fail("expected , or ] in array");
      }
    }
    if (c === "{") {
      i++;
      const t: TomlTable = {};
      skipWs();
      if (src[i] === "}") {
        i++;
        return t;
      }
      for (;;) {
        const key = parseKey();
        skipWs();
        if (src[i] !== "=") fail("expected =");
        i++;
        setPath(t, key, parseValue());
        skipWs();
        if (src[i] === ",") {
          i++;
          continue;
        }
        if (src[i] === "}") {
          i++;
          return t;
        }
        fail("expected , or } in inline table");
      }
    }
    const m = /^[^\s,\]}#]+/.exec(src.slice(i, i + 200));
    if (!m) fail("bad value");
    const raw = m![0];
    i += raw.length;
    if (raw === "true") return true;
    if (raw === "false") return false;
    const num = raw.replace(/_/g, "");
    if (/^[+-]?(0x[0-9a-f]+|0o[0-7]+|0b[01]+|\d+)$/i.test(num)) return Number(num);
    if (/^[+-]?(\d+(\.\d+)?([eE][+-]?\d+)?|inf|nan)$/.test(num)) return Number(num);
    // dates / times are kept as strings
    return raw;
  };
  const setPath = (table: TomlTable, key: string[], value: TomlValue) => {
    let t = table;
    for (const k of key.slice(0, -1)) {
      if (t[k] === undefined) t[k] = {};
      const next = t[k];
      if (typeof next !== "object" || Array.isArray(next)) fail(`key ${k} is not a table`);
      t = next as TomlTable;
    }
    const last = key[key.length - 1];
    if (last in t) fail(`duplicate key ${key.join(".")}`);
    t[last] = value;
  };
  const tableAt = (key: string[], arrayTable: boolean): TomlTable => {
    let t = root;
    key.forEach((k, idx) => {
      const isLast = idx === key.length - 1;
      if (isLast && arrayTable) {
        if (t[k] === undefined) t[k] = [];
        const arr = t[k];
        if (!Array.isArray(arr)) fail(`key ${k} is not an array of tables`);
        const fresh: TomlTable = {};
        (arr as TomlValue[]).push(fresh);
        t = fresh;
        return;
      }
      if (t[k] === undefined) t[k] = {};
      let next = t[k];
      if (Array.isArray(next)) next = next[next.length - 1];
      if (typeof next !== "object" || next === null) fail(`key ${k} is not a table`);
      t = next as TomlTable;
    });
    return t;
  };

  for (;;) {
    skipWsNlComments();
    if (i >= n) break;
    if (src[i] === "[") {
      const arrayTable = src[i + 1] === "[";
      i += arrayTable ? 2 : 1;
      const key = parseKey();
      skipWs();
      if (arrayTable ? !src.startsWith("]]", i) : src[i] !== "]") fail("bad table header");
      i += arrayTable ? 2 : 1;
      current = tableAt(key, arrayTable);
      endOfLine();
      continue;
    }
    const key = parseKey();
    skipWs();
    if (src[i] !== "=") fail("expected =");
    i++;
    setPath(current, key, parseValue());
    endOfLine();
  }
  return root;
}

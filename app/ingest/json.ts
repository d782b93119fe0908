const SIXTEEN_DIGITS = /\d{16}/;

/**
 * JSON.parse, except that integers too large for a double (Shopify's 18-digit ids) are kept as strings,
 * so `"id": 820982911946154508` never becomes 820982911946154500.
 */
export function parseJsonKeepingBigIntegers(text: string): unknown {
  // No run of 16 digits anywhere: no integer can be past 2^53 (9,007,199,254,740,991 has 16), so plain JSON.parse
  // is exact. That is most payloads, and the scan below costs many times the parse.
  if (!SIXTEEN_DIGITS.test(text)) return JSON.parse(text);
  let out = "";
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      continue;
    }
    if ((ch === "-" || (ch >= "0" && ch <= "9")) && !/[\w.]/.test(text[i - 1] ?? "")) {
      let j = i + 1;
      while (j < text.length && text[j] >= "0" && text[j] <= "9") j++;
      const isInteger = !/[.eE]/.test(text[j] ?? "");
      const literal = text.slice(i, j);
      if (isInteger && literal.replace("-", "").length > 15 && !Number.isSafeInteger(Number(literal))) {
        out += text.slice(start, i) + `"${literal}"`;
        start = j;
      }
      i = j - 1;
    }
  }
  return JSON.parse(out + text.slice(start));
}

/** CSV (RFC 4180) for the customer export, safe to open in a spreadsheet. */

/** Quotes a field when needed; text that a spreadsheet would run as a formula gets a leading apostrophe. */
export function csvField(value: string | number | null | undefined): string {
  if (value == null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(fields: ReadonlyArray<string | number | null | undefined>): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

/** Minor units as a plain decimal ("12345" with 2 digits → "123.45"), exact for any BigInt. */
export function minorToDecimal(minor: bigint, digits = 2): string {
  const negative = minor < 0n;
  const abs = (negative ? -minor : minor).toString().padStart(digits + 1, "0");
  const whole = abs.slice(0, abs.length - digits);
  const fraction = digits > 0 ? `.${abs.slice(abs.length - digits)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/**
 * What the database can hold, for values that arrive as text (cursors, ids in forms): Prisma's `Int` is a 32-bit
 * integer on SQLite and PostgreSQL alike, `BigInt` a 64-bit one. A value past these is refused as malformed before it
 * reaches a query, where it would fail as a database error.
 */
export const MAX_ROW_ID = 2_147_483_647;
export const MIN_INT64 = -(2n ** 63n);
export const MAX_INT64 = 2n ** 63n - 1n;

/** A row id written in decimal digits (0 … 2^31 − 1; 0 is before every row), or null. */
export function parseRowId(text: string): number | null {
  if (!/^\d{1,10}$/.test(text)) return null;
  const id = Number(text);
  return id <= MAX_ROW_ID ? id : null;
}

/** A 64-bit integer written in decimal (optionally negative), or null. */
export function parseInt64(text: string): bigint | null {
  if (!/^-?\d{1,19}$/.test(text)) return null;
  const value = BigInt(text);
  return value >= MIN_INT64 && value <= MAX_INT64 ? value : null;
}

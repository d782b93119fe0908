/**
 * Rows as the import's and the inbox's statements bind them: each table's values in the order of its columns (the
 * UpsertTable definitions in facts.server.ts and journey.server.ts), instants as text, booleans as 1/0, 64-bit
 * integers as decimal text. Pure (no database client), so the import's parser thread builds them too.
 */
import type { CustomerRow, OrderRow } from "../domain/facts";
import { nextJourneyAttemptAt, type JourneyRow } from "../domain/journey";

const DAY_MS = 86_400_000;
/** 253402300800000: 10000-01-01T00:00:00Z, past which (and before 1970) toISOString writes the text. */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_800_000;
const padded = (width: number, count: number) =>
  Array.from({ length: count }, (_, i) => String(i).padStart(width, "0"));
const TWO_DIGITS = padded(2, 60);
const THREE_DIGITS = padded(3, 1000);
let cachedDay = NaN;
let cachedDayText = "";

/** "YYYY-MM-DDT" of a day counted from 1970-01-01 (Howard Hinnant's civil_from_days, years 1970–9999). */
function dayText(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, "0")}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T`;
}

/**
 * An instant as Prisma stores DateTime on SQLite (ISO 8601 with milliseconds, "+00:00"); PostgreSQL reads the same
 * text as UTC. Written from the epoch milliseconds, the day's part kept from the last call: an import writes
 * several instants per row, and toISOString with a replace cost 6% of it (bench/import.bench.ts).
 */
export function instantText(date: Date | null | undefined): string | null {
  if (!date) return null;
  const ms = date.getTime();
  // Invalid dates throw there as they always did.
  if (!(ms >= 0 && ms < LAST_FOUR_DIGIT_YEAR_MS)) return date.toISOString().replace("Z", "+00:00");
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) [cachedDay, cachedDayText] = [day, dayText(day)];
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${cachedDayText}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}+00:00`;
}

const instant = instantText;

const bit = (flag: boolean) => (flag ? 1 : 0);

export function orderValues(r: OrderRow): unknown[] {
  return [
    r.gid,
    r.customerGid,
    instant(r.createdAt),
    r.totalMinor.toString(),
    r.refundedMinor.toString(),
    r.currencyCode,
    bit(r.cancelled),
    bit(r.test),
    bit(r.voided),
    bit(r.fullyRefunded),
    instant(r.shopifyUpdatedAt),
  ];
}

export function customerValues(r: CustomerRow): unknown[] {
  return [
    r.gid,
    instant(r.shopifyCreatedAt),
    instant(r.shopifyUpdatedAt),
    r.emailMarketingState ?? "NOT_SUBSCRIBED",
    instant(r.consentUpdatedAt),
    JSON.stringify(r.tags ?? []),
  ];
}

/** In the order of the OrderJourney columns (journey.server.ts). */
export function journeyValues(row: JourneyRow, now: Date): unknown[] {
  return [
    row.orderGid,
    row.state,
    instant(row.state === "pending" ? nextJourneyAttemptAt(now, 0) : null),
    row.customerOrderIndex,
    row.firstUtm.source,
    row.firstUtm.medium,
    row.firstUtm.campaign,
    row.lastUtm.source,
    row.lastUtm.medium,
    row.lastUtm.campaign,
    row.event?.gid ?? null,
    row.event?.tactic ?? null,
    row.event?.channel ?? null,
    row.event?.name ?? null,
    row.discountCodes.length > 0 ? JSON.stringify(row.discountCodes) : null,
    row.simulated ? 1 : 0,
    instant(now),
  ];
}

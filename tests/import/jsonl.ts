/**
 * Bulk-operation JSONL in Shopify's shape (one node per line, as the orders and customers bulk queries return them),
 * generated with the awkward cases the import must store faithfully: guest orders, cancelled / refunded / voided /
 * test orders, amounts with one, two and three decimals and past 2^53 minor units, absent dates, consent states, and
 * tags with quotes, commas and non-ASCII text. And a fetch that serves such a file in odd-sized byte chunks.
 */
import { mulberry32 } from "../devstore/util";

export interface Lines<Node> {
  nodes: Node[];
  text: string;
}

const STATUSES = ["PAID", "PARTIALLY_REFUNDED", "REFUNDED", "VOIDED", "PENDING", "AUTHORIZED"];
const AMOUNTS = ["12.3", "0.00", "1000", "49.995", "9999999999999999.99", "7.10", "0.01"];
const TAGS = [[], ["VIP"], ['say "hi"', "a,b"], ["日本語", "Ærø"], ["lifecycle:first-time-buyer", "klaviyo:engaged"]];
const STATES = ["SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED", "PENDING", "INVALID", "REDACTED"];

const instant = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

export function orderLines(count: number, seed: number) {
  const random = mulberry32(seed);
  const nodes = Array.from({ length: count }, (_, i) => {
    const created = Date.UTC(2024, 0, 1) + Math.floor(random() * 700 * 86_400_000);
    const status = STATUSES[Math.floor(random() * STATUSES.length)];
    return {
      id: `gid://shopify/Order/${5_000_000_000 + i * 3}`,
      createdAt: instant(created),
      updatedAt: random() < 0.05 ? null : instant(created + Math.floor(random() * 1e9)),
      cancelledAt: random() < 0.1 ? instant(created + 3_600_000) : null,
      test: random() < 0.03,
      displayFinancialStatus: status,
      totalPriceSet: {
        shopMoney: {
          amount: AMOUNTS[Math.floor(random() * AMOUNTS.length)],
          currencyCode: random() < 0.9 ? "EUR" : "JPY",
        },
      },
      totalRefundedSet: { shopMoney: { amount: status === "REFUNDED" ? "12.3" : random() < 0.1 ? "1.5" : "0.0" } },
      customer: random() < 0.08 ? null : { id: `gid://shopify/Customer/${9_000_000 + Math.floor(random() * 3000)}` },
    };
  });
  return { nodes, text: nodes.map((n) => JSON.stringify(n)).join("\n") + "\n" };
}

export function customerLines(count: number, seed: number) {
  const random = mulberry32(seed);
  const nodes = Array.from({ length: count }, (_, i) => {
    const created = Date.UTC(2023, 5, 1) + Math.floor(random() * 900 * 86_400_000);
    const consent =
      random() < 0.2
        ? null
        : {
            marketingState: STATES[Math.floor(random() * STATES.length)],
            consentUpdatedAt: random() < 0.3 ? null : instant(created + 86_400_000),
          };
    return {
      id: `gid://shopify/Customer/${9_000_000 + i}`,
      createdAt: instant(created),
      updatedAt: instant(created + Math.floor(random() * 1e9)),
      tags: TAGS[Math.floor(random() * TAGS.length)],
      emailMarketingConsent: consent,
    };
  });
  // Windows line endings on some lines: Shopify writes \n, a proxy might not.
  return { nodes, text: nodes.map((n, i) => JSON.stringify(n) + (i % 97 === 0 ? "\r" : "")).join("\n") + "\n" };
}

/**
 * A fetch that answers any URL with the text, streamed in chunks of 4,093 bytes (so lines and multi-byte characters
 * are split across chunks); with failAfterChars the stream errors there, as a dropped connection would.
 */
export function jsonlFetch(text: string, options: { failAfterChars?: number } = {}): typeof fetch {
  return (async () => {
    const bytes = new TextEncoder().encode(text);
    const failAt =
      options.failAfterChars === undefined
        ? null
        : new TextEncoder().encode(text.slice(0, options.failAfterChars)).length;
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const end = Math.min(bytes.length, offset + 4093, failAt ?? Infinity);
        if (offset >= end) {
          if (failAt !== null) controller.error(new Error("connection reset"));
          else controller.close();
          return;
        }
        controller.enqueue(bytes.slice(offset, end));
        offset = end;
      },
    });
    return new Response(body, { status: 200 });
  }) as typeof fetch;
}

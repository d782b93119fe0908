/**
 * The app's log: pino, one JSON object per line on stdout (LOG_LEVEL sets the level, default "info"), with every
 * credential censored before the line is written.
 *
 * Censoring walks everything handed to a log call — the message, interpolated values, objects at any depth, errors
 * (their message, stack and own fields such as a response's headers), and a child logger's bindings — because a
 * token can arrive anywhere: a Session object, a Headers object, a request URL with Shopify admin's `id_token`, an
 * error message quoting a header. pino's own `redact` option only censors fixed paths, so it would miss a token one
 * level deeper than the path or inside a string.
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";

export type { Logger } from "pino";

export const CENSORED = "[redacted]";

/** Field names (compared lower-case, without `-` and `_`) whose values are credentials wherever they appear. */
const SECRET_FIELDS = new Set([
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "hmac",
  "xshopifyhmacsha256",
  "signature",
  "password",
]);

/** `accessToken`, `access_token`, `X-Shopify-Access-Token`, `id_token`, `sessionToken`, `apiSecretKey`, ... */
function isSecretField(name: string): boolean {
  const key = name.toLowerCase().replace(/[-_]/g, "");
  return key.endsWith("token") || key.endsWith("secret") || key.endsWith("secretkey") || SECRET_FIELDS.has(key);
}

/** Credentials that can sit inside text: URLs, error messages, header dumps. */
const SECRET_PATTERNS: [RegExp, string][] = [
  // Header lines quoted in a message: "X-Shopify-Access-Token: abc", "authorization=Bearer abc".
  [
    /\b((?:x-shopify-access-token|x-shopify-hmac-sha256|authorization)\s*[:=]\s*)(?:(?:Bearer|Basic)\s+)?[^\s,;"']+/gi,
    `$1${CENSORED}`,
  ],
  // Query parameters: Shopify admin's session token and session, OAuth codes and tokens, HMACs and signatures.
  [/([?&](?:id_token|access_token|refresh_token|token|session|code|hmac|signature)=)[^&#\s"'<>]*/gi, `$1${CENSORED}`],
  [/\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${CENSORED}`],
  // Shopify's access tokens and secrets carry a prefix: shpat_, shpca_, shppa_, shpua_, shpss_, ...
  [/\bshp[a-z]{2,4}_[A-Za-z0-9]{8,}/g, CENSORED],
  // A JWT (Shopify admin's session tokens): header and payload are base64url JSON, so both start with "eyJ".
  [/\beyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, CENSORED],
];

export function censorText(text: string): string {
  let censored = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) censored = censored.replace(pattern, replacement);
  return censored;
}

/** Past this depth a value is summarised: log objects are small, and a cycle must not recurse forever. */
const MAX_DEPTH = 10;

/** A copy of `value` with every credential replaced by CENSORED; the original is untouched. */
export function censor(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return censorText(value);
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return value;
  if (seen.has(value)) return "[circular]";
  if (depth >= MAX_DEPTH) return "[nested too deep]";
  seen.add(value);
  try {
    if (value instanceof Error) return censor(pino.stdSerializers.err(value), depth, seen);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
    if (Array.isArray(value)) return value.map((item) => censor(item, depth + 1, seen));
    if (value instanceof URL) return censorText(value.href);
    const entries =
      value instanceof Headers || value instanceof Map
        ? [...(value as Map<unknown, unknown>).entries()].map(([key, item]) => [String(key), item] as const)
        : typeof (value as { toJSON?: unknown }).toJSON === "function"
          ? null
          : Object.entries(value);
    if (entries === null) return censor((value as { toJSON: () => unknown }).toJSON(), depth + 1, seen);
    const copy: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      copy[key] = isSecretField(key) && item !== null && item !== undefined ? CENSORED : censor(item, depth + 1, seen);
    }
    return copy;
  } finally {
    seen.delete(value);
  }
}

/**
 * pino reads its arguments as (object?, message?, ...interpolated): the object (an Error's fields under `err`, as
 * pino itself files them) and every string are censored before pino sees them.
 */
function censorArguments(args: unknown[]): unknown[] {
  const [first, ...rest] = args;
  if (first instanceof Error) {
    const err = censor(first) as { message?: string };
    return [{ err }, ...(rest.length > 0 ? rest.map((arg) => censor(arg)) : [err.message])];
  }
  return args.map((arg) => censor(arg));
}

/** A logger writing to `destination` (stdout by default); tests pass a stream to read what was written. */
export function createLogger(options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const settings: LoggerOptions = {
    level: process.env.LOG_LEVEL || "info",
    ...options,
    // censor() has already serialised every Error (at any depth); pino's err serializer would rename its type.
    serializers: { err: (err: unknown) => err, ...options.serializers },
    hooks: {
      logMethod(args, method) {
        return method.apply(this, censorArguments(args) as Parameters<typeof method>);
      },
    },
  };
  const logger = destination ? pino(settings, destination) : pino(settings);
  // pino writes a child's bindings without passing them through hooks or formatters: censor them on the way in.
  // Children inherit this method from the root, so grandchildren are censored too.
  const childOf = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return childOf.call(this, censor(bindings) as typeof bindings, childOptions);
  } as Logger["child"];
  return logger;
}

export const logger = createLogger();

/** For code that takes a `(message) => void` (the job runners, the refit): lines at `level`, tagged `component`. */
export function messageLog(component: string, level: "info" | "warn" | "error" = "info"): (message: string) => void {
  const log = logger.child({ component });
  return (message) => log[level](message);
}

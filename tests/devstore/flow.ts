/**
 * Flow triggers as Shopify knows them: the app's `flow_trigger` extensions (extensions/<name>/shopify.extension.toml),
 * and `flowTriggerReceive` payloads checked against them.
 *
 * The field types a trigger may declare are those Shopify CLI 4.8.2's Flow serializer accepts for triggers (it
 * throws "Field type … is not supported on Flow Triggers" at deploy otherwise): boolean, email,
 * single_line_text_field, url, number_decimal and schema type references; plus the commerce objects customer,
 * order, product, company and company_contact (`<type>_reference`, sent as the key `<type>_id`). A trigger using
 * anything else could never be deployed, so the dev store refuses to load it.
 *
 * A payload must name a known handle, carry exactly the trigger's field keys with values of their types, and
 * serialise to less than 50,000 bytes ("Properties size exceeds the limit of 50000 bytes").
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import toml from "toml";

export const FLOW_PAYLOAD_LIMIT_BYTES = 50_000;

const TRIGGER_FIELD_TYPES = new Set(["boolean", "email", "single_line_text_field", "url", "number_decimal"]);
const TRIGGER_REFERENCES = new Set([
  "customer_reference",
  "order_reference",
  "product_reference",
  "company_reference",
  "company_contact_reference",
]);

export interface FlowTriggerField {
  /** The payload key: the toml's `key`, or `<type>_id` for a commerce object reference. */
  key: string;
  type: string;
}

export interface FlowTriggerDefinition {
  handle: string;
  fields: FlowTriggerField[];
}

function triggerField(raw: Record<string, unknown>, source: string): FlowTriggerField {
  const type = String(raw.type ?? "");
  if (TRIGGER_REFERENCES.has(type)) return { key: `${type.replace(/_reference$/, "")}_id`, type };
  if (!TRIGGER_FIELD_TYPES.has(type) && !type.startsWith("schema."))
    throw new Error(`${source}: Field type ${type} is not supported on Flow Triggers`);
  if (typeof raw.key !== "string")
    throw new Error(`${source}: key property must be specified for non-commerce object fields`);
  return { key: raw.key, type };
}

/** Every flow_trigger extension under `extensionsDir`, by handle. */
export function loadFlowTriggers(extensionsDir: string): Map<string, FlowTriggerDefinition> {
  const triggers = new Map<string, FlowTriggerDefinition>();
  if (!existsSync(extensionsDir)) return triggers;
  for (const entry of readdirSync(extensionsDir, { withFileTypes: true })) {
    const file = path.join(extensionsDir, entry.name, "shopify.extension.toml");
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const doc = toml.parse(readFileSync(file, "utf8")) as {
      extensions?: Array<Record<string, unknown>>;
      settings?: { fields?: Array<Record<string, unknown>> };
    };
    for (const extension of doc.extensions ?? []) {
      if (extension.type !== "flow_trigger") continue;
      const handle = String(extension.handle ?? "");
      triggers.set(handle, { handle, fields: (doc.settings?.fields ?? []).map((f) => triggerField(f, file)) });
    }
  }
  return triggers;
}

function valueProblem(field: FlowTriggerField, value: unknown): string | null {
  const expect = (ok: boolean, what: string) => (ok ? null : `Property '${field.key}' must be ${what}`);
  if (TRIGGER_REFERENCES.has(field.type)) {
    return expect(
      (typeof value === "number" && Number.isSafeInteger(value) && value > 0) ||
        (typeof value === "string" && /^\d+$/.test(value)),
      "a numeric ID",
    );
  }
  switch (field.type) {
    case "boolean":
      return expect(typeof value === "boolean", "a boolean");
    case "number_decimal":
      return expect(typeof value === "number" && Number.isFinite(value), "a number");
    case "single_line_text_field":
      return expect(typeof value === "string" && !/[\r\n]/.test(value), "a single line of text");
    case "email":
      return expect(typeof value === "string" && /^[^@\s]+@[^@\s]+$/.test(value), "an email address");
    case "url":
      return expect(typeof value === "string" && URL.canParse(value), "a URL");
    default:
      return expect(value !== null && typeof value === "object", "an object");
  }
}

/** Shopify's messages for a payload the trigger does not accept; empty when it is accepted. */
export function triggerPayloadProblems(
  trigger: FlowTriggerDefinition | undefined,
  handle: string,
  payload: unknown,
): string[] {
  if (!trigger) return [`Invalid handle '${handle}'`];
  const size = Buffer.byteLength(JSON.stringify(payload ?? null));
  if (size >= FLOW_PAYLOAD_LIMIT_BYTES)
    return [`Properties size exceeds the limit of ${FLOW_PAYLOAD_LIMIT_BYTES} bytes`];
  if (payload === null || typeof payload !== "object" || Array.isArray(payload))
    return ["Properties must be an object"];
  const given = payload as Record<string, unknown>;
  const keys = new Set(trigger.fields.map((f) => f.key));
  const problems: string[] = [];
  for (const field of trigger.fields) {
    if (!(field.key in given)) problems.push(`Missing property '${field.key}'`);
    else {
      const problem = valueProblem(field, given[field.key]);
      if (problem) problems.push(problem);
    }
  }
  for (const key of Object.keys(given)) if (!keys.has(key)) problems.push(`Unknown property '${key}'`);
  return problems;
}

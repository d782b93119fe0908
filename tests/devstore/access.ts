/**
 * Who may read what, as Shopify decides it for one app installation: the granted access scopes and the protected
 * customer data the app was approved for.
 *
 * Scope rules are not a hand list: they come from the 2026-10 schema itself. Shopify's introspection carries, per
 * type and per field, the `requiredAccess` text its reference pages print ("Requires `read_orders` access scope…"),
 * and the WebhookSubscriptionTopic values say which scope a topic needs ("Requires the `read_customers` scope.").
 * parseRequiredAccess turns such a text into clauses (every clause needs one of its scopes); a write scope implies
 * its read scope, as @shopify/shopify-api's AuthScopes reads them.
 *
 * Protected customer data (shopify.dev/docs/apps/launch/protected-customer-data): level 1 is approval for customer
 * data at all — the types of the docs' table (customers, orders and what relates to one customer); level 2 adds the
 * fields that identify a person, marked in the schema itself (`isProtected`, `protectedContent`: name, email,
 * phone, address). A field whose `requiredAccess` asks for "Level 2 access to Customer data" (shopifyqlQuery)
 * needs all four.
 */
import { AuthScopes } from "@shopify/shopify-api";
import { GraphQLError } from "graphql";
import type { AccessMetadata, AdminSchemaJson } from "./schema";

export const ACCESS_SCOPES_DOCS = "https://shopify.dev/api/usage/access-scopes";
export const PROTECTED_DATA_DOCS = "https://shopify.dev/docs/apps/launch/protected-customer-data";

export const PROTECTED_FIELDS = ["name", "email", "phone", "address"] as const;
export type ProtectedField = (typeof PROTECTED_FIELDS)[number];

/**
 * The API types the protected customer data page lists as customer data (customers; orders, draft orders, abandoned
 * checkouts, refunds and transactions; shipping rates; fulfillment; gift cards): level 1 is needed to read them.
 */
export const PROTECTED_TYPES: ReadonlySet<string> = new Set([
  "Customer",
  "Order",
  "DraftOrder",
  "AbandonedCheckout",
  "Refund",
  "OrderTransaction",
  "ShippingRate",
  "FulfillmentOrder",
  "Fulfillment",
  "GiftCard",
]);

/** Webhook resources that carry one customer or order (the same page: "events … that relate to a single customer or order"). */
const PROTECTED_TOPIC_RESOURCES = [
  "customers",
  "customer",
  "customers_email_marketing_consent",
  "customers_marketing_consent",
  "customer_payment_methods",
  "orders",
  "order_transactions",
  "draft_orders",
  "checkouts",
  "refunds",
  "fulfillments",
  "fulfillment_events",
  "fulfillment_orders",
  "returns",
];

/** The three compliance topics reach every app, whatever it was granted. */
const COMPLIANCE_TOPICS = new Set(["customers/data_request", "customers/redact", "shop/redact"]);

export type ProtectedDataLevel = 0 | 1 | 2;

/** What an installation may read. `protectedFields` is empty below level 2. */
export interface InstallAccess {
  scopes: AuthScopes;
  protectedLevel: ProtectedDataLevel;
  protectedFields: ReadonlySet<ProtectedField>;
  /** scope → granted, memoised: checked for every guarded field of every object of a bulk export. */
  readonly checked: Map<string, boolean>;
}

/**
 * How a test or the demo configures an installation: the granted scopes, and the protected customer data level
 * (2 = level 2 with all four fields; a list = level 2 with only those fields).
 */
export interface AccessInput {
  scopes?: string | string[];
  protectedCustomerData?: ProtectedDataLevel | ProtectedField[];
}

export function installAccess(
  scopes: string | string[],
  protectedCustomerData: ProtectedDataLevel | ProtectedField[] = 2,
): InstallAccess {
  const fields: ProtectedField[] = Array.isArray(protectedCustomerData)
    ? protectedCustomerData
    : protectedCustomerData === 2
      ? [...PROTECTED_FIELDS]
      : [];
  for (const f of fields) if (!PROTECTED_FIELDS.includes(f)) throw new Error(`devstore: unknown protected field ${f}`);
  const level: ProtectedDataLevel = Array.isArray(protectedCustomerData) ? 2 : protectedCustomerData;
  return {
    scopes: new AuthScopes(scopes),
    protectedLevel: level,
    protectedFields: new Set(fields),
    checked: new Map(),
  };
}

/** The granted scopes as Shopify lists them (the token exchange's `scope`, currentAppInstallation.accessScopes). */
export function grantedScopes(access: InstallAccess): string[] {
  return access.scopes.toArray(true);
}

export function hasScope(access: InstallAccess, scope: string): boolean {
  let granted = access.checked.get(scope);
  if (granted === undefined) access.checked.set(scope, (granted = access.scopes.has(scope)));
  return granted;
}

// ---------------------------------------------------------------- requiredAccess texts

/** A requirement read from Shopify's text: every clause needs one of its scopes; `level2` = all four protected fields. */
export interface Requirement {
  text: string;
  clauses: string[][];
  level2: boolean;
}

const SCOPE_NAME = /^(unauthenticated_)?(read|write)_[a-z0-9_]+$/;

function backtickedScopes(fragment: string): string[] {
  return [...fragment.matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((name) => SCOPE_NAME.test(name));
}

/**
 * Parses one `requiredAccess` text. The forms in the 2026-10 schema: "`a` access scope." / "`a` access scope or `b`
 * access scope." / "Apps must have `a` access scope." / "Any of `a`, `b` access scopes." / "the `a` or `b` scope." /
 * "`a` access scope as well as any of `b`, `c` access scopes." / "`a` for queries and both `a` as well as `b` for
 * mutations." Then "Also:" adds sentences; those starting with "Requires" add a clause and "Level 2 access" asks for
 * protected customer data level 2. User permissions and plan features do not apply to an app's offline token.
 * Returns null when the text asks for no scope (plan or user-permission requirements only).
 */
export function parseRequiredAccess(text: string, operation: "query" | "mutation"): Requirement | null {
  const [main, ...also] = text.split(/\bAlso:\s*/);
  const perOperation = /^([\s\S]*?)\bfor queries and both\b([\s\S]*)\bfor mutations\b/.exec(main);
  const scoped = perOperation ? (operation === "mutation" ? perOperation[2] : perOperation[1]) : main;
  const clauses = scoped
    .split(/\bas well as\b/)
    .map(backtickedScopes)
    .filter((clause) => clause.length > 0);
  for (const sentence of also.join(" ").split(/(?<=\.)\s+/)) {
    if (!/^\s*Requires\b/.test(sentence)) continue;
    const clause = backtickedScopes(sentence);
    if (clause.length > 0) clauses.push(clause);
  }
  const level2 = /\bLevel 2 access\b/.test(text);
  if (clauses.length === 0 && !level2) return null;
  return { text: text.replace(/\s+/g, " ").trim(), clauses, level2 };
}

/**
 * Parses a WebhookSubscriptionTopic description: "The webhook topic for `orders/create` events. … Requires at least
 * one of the following scopes: read_orders, read_marketplace_orders." or "… Requires the `read_customers` scope."
 */
export function parseTopicDescription(description: string): { topic: string; anyOf: string[] } | null {
  const topic = /The webhook topic for `([^`]+)` events/.exec(description)?.[1];
  if (!topic) return null;
  const requires = /\bRequires\b([\s\S]*)$/.exec(description)?.[1] ?? "";
  const anyOf = [...requires.matchAll(/\b(?:unauthenticated_)?(?:read|write)_[a-z0-9_]+\b/g)].map((m) => m[0]);
  return { topic, anyOf: [...new Set(anyOf)] };
}

// ---------------------------------------------------------------- the rules of the schema

/** What reading one field asks for, precomputed per schema field. */
export interface FieldAccess {
  /** The field's own requiredAccess, per operation type. */
  field: { query: Requirement | null; mutation: Requirement | null };
  /** The requiredAccess of the concrete type the field returns (a connection's node type), per operation type. */
  type: { query: Requirement | null; mutation: Requirement | null };
  /** The concrete returned type when it is protected customer data (level 1). */
  protectedType: string | null;
  /** The identifying content of the field itself (level 2). */
  protectedContent: ProtectedField | null;
  /** The field returns an interface or union: its objects are checked by their __typename once resolved. */
  abstract: boolean;
}

export interface AccessRules {
  /** "Type.field" → what reading it asks for (only fields that ask for something). */
  fields: Map<string, FieldAccess>;
  /** Object type → its requiredAccess (for objects reached through an interface or union). */
  types: Map<string, { query: Requirement | null; mutation: Requirement | null }>;
  /** Webhook topic ("orders/create") → scopes of which one is needed (empty: none). */
  topics: Map<string, string[]>;
}

type IntrospectionTypeRef = { kind: string; name?: string | null; ofType?: IntrospectionTypeRef | null };
type RawField = AccessMetadata & { type: IntrospectionTypeRef };
type RawType = AccessMetadata & {
  kind: string;
  fields?: RawField[] | null;
  enumValues?: Array<{ name: string; description?: string | null }> | null;
};

function namedType(ref: IntrospectionTypeRef): { name: string; kind: string } {
  let t = ref;
  while (t.ofType) t = t.ofType;
  return { name: t.name ?? "", kind: t.kind };
}

let cachedRules: AccessRules | undefined;

/** Builds (once per process) the access rules of the shipped 2026-10 schema. */
export function accessRules(json: AdminSchemaJson): AccessRules {
  if (!cachedRules) cachedRules = buildAccessRules(json);
  return cachedRules;
}

function buildAccessRules(json: AdminSchemaJson): AccessRules {
  const rawTypes = json.data.__schema.types as unknown as RawType[];
  const byName = new Map(rawTypes.map((t) => [t.name, t]));
  const bothOperations = (text: string | null | undefined) =>
    text
      ? { query: parseRequiredAccess(text, "query"), mutation: parseRequiredAccess(text, "mutation") }
      : { query: null, mutation: null };

  const types = new Map<string, { query: Requirement | null; mutation: Requirement | null }>();
  for (const t of rawTypes) {
    const rule = bothOperations(t.requiredAccess);
    if (rule.query || rule.mutation) types.set(t.name, rule);
  }

  /** A connection or edge stands for its nodes. */
  const concrete = (ref: IntrospectionTypeRef): { name: string; kind: string } => {
    const named = namedType(ref);
    const type = byName.get(named.name);
    if (type && /(Connection|Edge)$/.test(named.name)) {
      const node = type.fields?.find((f) => f.name === "node") ?? type.fields?.find((f) => f.name === "nodes");
      if (node) return namedType(node.type);
    }
    return named;
  };

  const fields = new Map<string, FieldAccess>();
  for (const t of rawTypes) {
    if ((t.kind !== "OBJECT" && t.kind !== "INTERFACE") || t.name.startsWith("__")) continue;
    for (const f of t.fields ?? []) {
      const target = concrete(f.type);
      const abstract = target.kind === "INTERFACE" || target.kind === "UNION";
      const access: FieldAccess = {
        field: bothOperations(f.requiredAccess),
        type: types.get(target.name) ?? { query: null, mutation: null },
        protectedType: PROTECTED_TYPES.has(target.name) ? target.name : null,
        protectedContent:
          f.isProtected && PROTECTED_FIELDS.includes(f.protectedContent as ProtectedField)
            ? (f.protectedContent as ProtectedField)
            : null,
        abstract,
      };
      const asksSomething =
        access.field.query ||
        access.field.mutation ||
        access.type.query ||
        access.type.mutation ||
        access.protectedType ||
        access.protectedContent ||
        abstract;
      if (asksSomething) fields.set(`${t.name}.${f.name}`, access);
    }
  }

  const topics = new Map<string, string[]>();
  for (const value of byName.get("WebhookSubscriptionTopic")?.enumValues ?? []) {
    const parsed = parseTopicDescription(value.description ?? "");
    if (parsed) topics.set(parsed.topic, parsed.anyOf);
  }
  return { fields, types, topics };
}

// ---------------------------------------------------------------- checks

function scopesMet(access: InstallAccess, requirement: Requirement): boolean {
  return requirement.clauses.every((clause) => clause.some((scope) => hasScope(access, scope)));
}

function hasAllProtectedFields(access: InstallAccess): boolean {
  return access.protectedLevel === 2 && PROTECTED_FIELDS.every((f) => access.protectedFields.has(f));
}

/** Shopify's ACCESS_DENIED for a field whose required access is missing. */
export function accessDenied(fieldName: string, requirement: Requirement): GraphQLError {
  return new GraphQLError(`Access denied for ${fieldName} field. Required access: ${requirement.text}`, {
    extensions: { code: "ACCESS_DENIED", documentation: ACCESS_SCOPES_DOCS, requiredAccess: requirement.text },
  });
}

function notApprovedObject(typeName: string): GraphQLError {
  return new GraphQLError(
    `This app is not approved to access the ${typeName} object. See ${PROTECTED_DATA_DOCS} for more details.`,
    {
      extensions: { code: "ACCESS_DENIED", documentation: PROTECTED_DATA_DOCS },
    },
  );
}

function notApprovedField(fieldName: string): GraphQLError {
  return new GraphQLError(
    `This app is not approved to use the ${fieldName} field. See ${PROTECTED_DATA_DOCS} for more details.`,
    {
      extensions: { code: "ACCESS_DENIED", documentation: PROTECTED_DATA_DOCS },
    },
  );
}

function requirementError(
  access: InstallAccess,
  fieldName: string,
  requirement: Requirement | null,
): GraphQLError | null {
  if (!requirement) return null;
  if (!scopesMet(access, requirement)) return accessDenied(fieldName, requirement);
  if (requirement.level2 && !hasAllProtectedFields(access)) return accessDenied(fieldName, requirement);
  return null;
}

/** The error Shopify gives before resolving `fieldName`, or null when the installation may read it. */
export function fieldAccessError(
  access: InstallAccess,
  fieldName: string,
  rule: FieldAccess,
  operation: "query" | "mutation",
): GraphQLError | null {
  const own =
    requirementError(access, fieldName, rule.field[operation]) ??
    requirementError(access, fieldName, rule.type[operation]);
  if (own) return own;
  if (rule.protectedType && access.protectedLevel < 1) return notApprovedObject(rule.protectedType);
  if (rule.protectedContent && !access.protectedFields.has(rule.protectedContent)) return notApprovedField(fieldName);
  return null;
}

/** For a field returning an interface or union: the error for the object it resolved to (by __typename), if any. */
export function resolvedObjectError(
  rules: AccessRules,
  access: InstallAccess,
  fieldName: string,
  typeName: string,
  operation: "query" | "mutation",
): GraphQLError | null {
  const rule = rules.types.get(typeName);
  const own = rule ? requirementError(access, fieldName, rule[operation]) : null;
  if (own) return own;
  if (PROTECTED_TYPES.has(typeName) && access.protectedLevel < 1) return notApprovedObject(typeName);
  return null;
}

/** Why a topic is not delivered to this installation, or null when it is. */
export function topicWithheld(rules: AccessRules, access: InstallAccess, topic: string): string | null {
  if (COMPLIANCE_TOPICS.has(topic)) return null;
  const anyOf = rules.topics.get(topic) ?? [];
  if (anyOf.length > 0 && !anyOf.some((scope) => hasScope(access, scope))) return `needs one of ${anyOf.join(", ")}`;
  const resource = topic.split(/[/.]/)[0];
  if (access.protectedLevel < 1 && PROTECTED_TOPIC_RESOURCES.includes(resource))
    return "needs protected customer data access";
  return null;
}

/** Payload keys that identify a person, by the protected field they belong to. */
const IDENTIFYING_KEYS: Record<string, ProtectedField> = {
  email: "email",
  contact_email: "email",
  customer_email: "email",
  first_name: "name",
  last_name: "name",
  phone: "phone",
  address1: "address",
  address2: "address",
  zip: "address",
  latitude: "address",
  longitude: "address",
};

/**
 * A webhook payload as an installation without every level-2 field receives it: the unapproved identifying values
 * are null (the page: "unapproved fields will be redacted"); an address's `name` goes with the name field.
 */
export function redactPayload(access: InstallAccess, payload: unknown): unknown {
  if (PROTECTED_FIELDS.every((f) => access.protectedFields.has(f))) return payload;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== "object") return value;
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(source)) {
      const field = IDENTIFYING_KEYS[key] ?? (key === "name" && "first_name" in source ? "name" : undefined);
      out[key] = field && !access.protectedFields.has(field) && v !== null ? null : walk(v);
    }
    return out;
  };
  return walk(payload);
}

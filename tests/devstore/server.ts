/**
 * The local dev store: an HTTP server on 127.0.0.1 that plays one or more Shopify stores
 * for one app, executing the real Admin GraphQL 2026-10 schema over in-memory state.
 * See tests/devstore/README.md.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import path from "node:path";
import { type GraphQLSchema } from "graphql";
import { checkBulkMutation, checkBulkQuery, flattenBulkResult, parseVariablesJsonl, type BulkQueryCheck } from "./bulk";
import { BulkResultFiles, type BulkResultFile, type BulkResultWriter } from "./bulk-files";
import { executeForBulk, refill, runGraphQLRequest, throttleStatus, type ThrottleStatus } from "./execute";
import { inputArrayErrors } from "./limits";
import { attachResolvers, type BulkWindow, type StagedTarget, type StoreApi } from "./graphql";
import { handleAccessTokenRequest, TokenStore } from "./oauth";
import { API_VERSION, loadAdminSchema, loadAdminSchemaJson, REPO_ROOT } from "./schema";
import { seedGeneratedStore, type GeneratedSeedOptions, type GeneratedSeedReport } from "./seed/generated";
import { seedOnlineRetailInto, type OnlineRetailOptions, type OnlineRetailReport } from "./seed/online-retail";
import { seedRowsInto, type SeedRows, type SeedRowsReport } from "./seed/rows";
import {
  attachOrder,
  customerAggregates,
  detachOrder,
  emptyCustomer,
  IdSequence,
  newShop,
  splitTags,
  type BulkOpRec,
  type CancelReason,
  type CustomerRec,
  type DiscountRec,
  type EmailMarketingState,
  type FinancialStatus,
  type MarketingActivityRec,
  type OptInLevel,
  type OrderLine,
  type OrderRec,
  type SegmentRec,
  type ShopInit,
  type ShopState,
  type ShopStats,
} from "./state";
import { gid, mulberry32, parseGid, toMinor, uuid } from "./util";
import {
  accessRules,
  grantedScopes,
  installAccess,
  PROTECTED_FIELDS,
  redactPayload,
  topicWithheld,
  type AccessInput,
  type InstallAccess,
  type ProtectedDataLevel,
  type ProtectedField,
} from "./access";
import { loadFlowTriggers } from "./flow";
import {
  bulkFinishPayload,
  complianceCustomer,
  customerDeletePayload,
  customerPayload,
  emailConsentPayload,
  loadAppConfig,
  mergePayload,
  orderDeletePayload,
  orderPayload,
  purchasingSummaryPayload,
  shopPayload,
  tagsEventPayload,
  WebhookEngine,
  type FlushOptions,
  type SendOptions,
  type WebhookDelivery,
  type WebhookMode,
} from "./webhooks";

export const INVALID_TOKEN_BODY = {
  errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
};
export const DEFAULT_SCOPES =
  "read_customers,write_customers,read_orders,read_all_orders,read_customer_merge,read_marketing_events,read_discounts,read_reports";

export interface DevStoreOptions {
  /** 0 (default) = a random free port. Always bound to 127.0.0.1. */
  port?: number;
  apiKey: string;
  apiSecret: string;
  /** Granted scopes of every new installation; default: [access_scopes] of the toml, else DEFAULT_SCOPES. */
  scopes?: string;
  /** Protected customer data every new installation was approved for (0, 1, 2 or level 2 with some fields). Default 2. */
  protectedCustomerData?: ProtectedDataLevel | ProtectedField[];
  /** The app's extensions (flow_trigger tomls); default: extensions/ at the repo root. */
  extensionsDir?: string;
  /** Leaky bucket per shop+app; default 2000 points, 100 points/s. */
  bucket?: { maximumAvailable: number; restoreRate: number };
  /** Where webhooks are delivered (appUrl + the toml uri). Without it webhooks are recorded. */
  appUrl?: string;
  /** Default: shopify.app.toml at the repo root (built-in topic → /webhooks/<topic> map when missing). */
  appTomlPath?: string;
  clock?: () => number;
  /** Delay of each bulk operation state change (CREATED→RUNNING→COMPLETED), ms. Default 25. */
  bulkDelayMs?: number;
  /** Bulk query operations that may run at once per shop. Default 5, as API 2026-01 and later allow (LIMIT_REACHED beyond). */
  bulkQueryConcurrency?: number;
  /** Top-level nodes per page of a bulk query export (default 20,000); tests page small stores with a small one. */
  bulkPageNodes?: number;
  /** Timeout of a webhook delivery, ms (Shopify: 5 s). */
  webhookTimeoutMs?: number;
}

export interface FaultOptions {
  /** Share of Admin API requests answered with a 5xx (default status 503). */
  errorRate?: number;
  errorStatus?: number;
  /** Share of Admin API requests that never get an answer (until the client aborts or close()). */
  timeoutRate?: number;
  seed?: number;
}

export interface FlowTriggerRecord {
  shop: string;
  handle: string | null;
  payload: unknown;
  receivedAt: string;
}

export type Ref = string | number;

export interface CreateCustomerInput {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  note?: string | null;
  tags?: string[] | string;
  country?: string | null;
  countryCode?: string | null;
  createdAt?: Date | string | number;
  emailMarketingState?: EmailMarketingState;
}

export interface CreateOrderInput {
  customerId?: Ref | null;
  email?: string | null;
  createdAt?: Date | string | number;
  /** Line items; the total is their sum unless `total` is given. */
  lines?: Array<{ title: string; quantity: number; price: number | string; sku?: string | null }>;
  /** Major units (e.g. 12.5 = £12.50). */
  total?: number | string;
  currency?: string;
  test?: boolean;
  tags?: string[] | string;
  financialStatus?: FinancialStatus;
  name?: string;
}

export interface MarketingActivityInput {
  title: string;
  status?: string;
  tactic?: string;
  marketingChannelType?: string;
  createdAt?: Date | string | number;
  updatedAt?: Date | string | number;
  startedAt?: Date | string | number | null;
  scheduledToEndAt?: Date | string | number | null;
  endedAt?: Date | string | number | null;
  utm?: { campaign?: string | null; source?: string | null; medium?: string | null } | null;
  isExternal?: boolean;
  remoteId?: string | null;
  /** The app that created it (default: this app). Another app's activities (e.g. "Shopify Email") are not returned to this one. */
  app?: string;
}

export interface DiscountInput {
  title: string;
  kind?: "code_basic" | "automatic_basic";
  codes?: string[];
  /** Segment gids/ids (or SegmentRec) the discount is limited to; omitted = all customers. */
  segments?: Array<Ref | SegmentRec>;
  customers?: Ref[];
  percentage?: number;
  amount?: number | string;
  startsAt?: Date | string | number;
  endsAt?: Date | string | number | null;
  status?: DiscountRec["status"];
  summary?: string;
  tags?: string[];
  usageLimit?: number | null;
  appliesOncePerCustomer?: boolean;
}

export interface DevStoreStats extends ShopStats {
  throttleStatus: ThrottleStatus;
}

export interface DevStore {
  readonly origin: string;
  readonly apiKey: string;
  readonly shops: Map<string, ShopState>;
  readonly schema: GraphQLSchema;
  addShop(domain: string, init?: ShopInit): ShopState;
  /**
   * Changes what a shop's installation was granted. A change of scopes sends app/scopes_update (Shopify's payload:
   * previous and current scopes), as when a merchant approves new or optional scopes.
   */
  setAccess(domain: string, access: AccessInput): void;
  seedOnlineRetail(domain: string, opts?: OnlineRetailOptions): Promise<OnlineRetailReport>;
  seedFromRows(domain: string, rows: SeedRows): SeedRowsReport;
  seedGenerated(domain: string, opts: GeneratedSeedOptions): GeneratedSeedReport;
  issueOfflineToken(domain: string): string;
  /** Changes a shop's bucket at runtime (and/or its current level). */
  setBucket(domain: string, b: { maximumAvailable?: number; restoreRate?: number; currentlyAvailable?: number }): void;
  stats(domain: string): DevStoreStats;

  createCustomer(domain: string, input?: CreateCustomerInput): CustomerRec;
  updateCustomer(
    customer: Ref,
    patch: Partial<Omit<CreateCustomerInput, "emailMarketingState" | "createdAt">>,
  ): CustomerRec;
  setEmailMarketingState(
    customer: Ref,
    state: EmailMarketingState,
    opts?: { optInLevel?: OptInLevel | null; at?: Date | string | number },
  ): CustomerRec;
  deleteCustomer(customer: Ref): void;
  mergeCustomers(keep: Ref, merge: Ref): CustomerRec;
  sendPurchasingSummary(customer: Ref): void;
  createOrder(domain: string, input?: CreateOrderInput): OrderRec;
  updateOrder(
    domain: string,
    order: Ref,
    patch: { tags?: string[] | string; email?: string | null; test?: boolean },
  ): OrderRec;
  cancelOrder(
    domain: string,
    order: Ref,
    opts?: { reason?: CancelReason; refund?: boolean; at?: Date | string | number },
  ): OrderRec;
  refundOrder(domain: string, order: Ref, opts?: { amount?: number | string; full?: boolean }): OrderRec;
  deleteOrder(domain: string, order: Ref): void;
  uninstall(domain: string): void;
  requestCustomerData(customer: Ref): void;
  redactCustomer(customer: Ref): void;
  redactShop(domain: string): void;
  addMarketingActivity(domain: string, input: MarketingActivityInput): MarketingActivityRec;
  addDiscount(domain: string, input: DiscountInput): DiscountRec;
  addSegment(domain: string, input: { name: string; query: string }): SegmentRec;
  findCustomer(customer: Ref): { shop: ShopState; customer: CustomerRec } | null;

  webhooks: {
    mode: WebhookMode;
    readonly deliveries: WebhookDelivery[];
    readonly events: WebhookEngine["events"];
    recorded(): WebhookDelivery[];
    clear(): void;
    flush(opts?: FlushOptions): Promise<WebhookDelivery[]>;
    replay(d: WebhookDelivery): Promise<number | null>;
    send(domain: string, topic: string, payload: unknown, opts?: SendOptions): Promise<Array<number | null>>;
    drain(): Promise<void>;
  };
  faults: {
    set(f: FaultOptions): void;
    clear(): void;
    readonly current: Readonly<FaultOptions>;
  };
  flowTriggers: FlowTriggerRecord[];
  /** Raw staged uploads by key (bulk mutation variables). */
  stagedUploads: Map<string, Buffer>;
  /** Resolves when every bulk operation started so far has finished. */
  bulkIdle(): Promise<void>;
  close(): Promise<void>;
}

function toMs(v: Date | string | number | null | undefined, fallback: number): number;
function toMs(v: Date | string | number | null | undefined, fallback: null): number | null;
function toMs(v: Date | string | number | null | undefined, fallback: number | null): number | null {
  if (v === null || v === undefined) return fallback;
  if (v instanceof Date) return v.getTime();
  if (typeof v === "number") return v;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new Error(`devstore: bad date ${v}`);
  return t;
}

const SHOP_RE = /^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$/;
/** Top-level nodes per page of a bulk query export: bounds the dev store's memory whatever the shop's size. */
const BULK_PAGE_NODES = 20_000;

function readBody(req: http.IncomingMessage, limit = 50 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export async function startDevStore(options: DevStoreOptions): Promise<DevStore> {
  const clock = options.clock ?? Date.now;
  const schema = attachResolvers(loadAdminSchema());
  const config = loadAppConfig(options.appTomlPath ?? path.join(REPO_ROOT, "shopify.app.toml"));
  const scopes = options.scopes ?? config.scopes ?? DEFAULT_SCOPES;
  const rules = accessRules(loadAdminSchemaJson());
  const accessFor = (input: AccessInput = {}) =>
    installAccess(input.scopes ?? scopes, input.protectedCustomerData ?? options.protectedCustomerData ?? 2);
  const triggers = loadFlowTriggers(options.extensionsDir ?? path.join(REPO_ROOT, "extensions"));
  const defaultBucket = options.bucket ?? { maximumAvailable: 2000, restoreRate: 100 };
  const bulkDelay = options.bulkDelayMs ?? 25;
  const bulkConcurrency = options.bulkQueryConcurrency ?? 5;
  const ids = new IdSequence(7_000_000_000_000);
  const shops = new Map<string, ShopState>();
  const tokens = new TokenStore();
  const stagedUploads = new Map<string, Buffer>();
  const flowTriggers: FlowTriggerRecord[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const bulkRuns = new Set<Promise<void>>();
  const bulkFiles = new BulkResultFiles();
  const hung = new Set<http.ServerResponse>();
  const sockets = new Set<Socket>();
  let faults: FaultOptions = {};
  let faultRand = mulberry32(1);
  let origin = "";

  const engine = new WebhookEngine({
    secret: options.apiSecret,
    appUrl: options.appUrl ?? null,
    config,
    now: clock,
    timeoutMs: options.webhookTimeoutMs,
  });

  const addShop = (domain: string, init: ShopInit = {}): ShopState => {
    const d = domain.toLowerCase();
    if (!SHOP_RE.test(d)) throw new Error(`devstore: not a myshopify domain: ${domain}`);
    const existing = shops.get(d);
    if (existing) return existing;
    const shop = newShop(d, init, ids, clock(), defaultBucket, accessFor(init.access));
    shops.set(d, shop);
    return shop;
  };
  const shopOf = (domain: string): ShopState => {
    const s = shops.get(domain.toLowerCase());
    if (!s) throw new Error(`devstore: unknown shop ${domain}`);
    return s;
  };
  const findCustomer = (ref: Ref) => {
    const id = typeof ref === "number" ? ref : (parseGid(ref)?.id ?? Number(ref));
    for (const shop of shops.values()) {
      const c = shop.customers.get(id);
      if (c) return { shop, customer: c };
    }
    return null;
  };
  const mustCustomer = (ref: Ref) => {
    const f = findCustomer(ref);
    if (!f) throw new Error(`devstore: unknown customer ${ref}`);
    return f;
  };
  const mustOrder = (shop: ShopState, ref: Ref): OrderRec => {
    const id = typeof ref === "number" ? ref : (parseGid(ref)?.id ?? Number(ref));
    const o = shop.orders.get(id);
    if (!o) throw new Error(`devstore: unknown order ${ref} in ${shop.domain}`);
    return o;
  };
  /** Delivers an event the way the installation may receive it: withheld without its scope, redacted below level 2. */
  const emit = (shop: ShopState, topic: string, payload: unknown) => {
    const withheld = topicWithheld(rules, shop.access, topic);
    return engine.emit(shop.domain, topic, withheld ? payload : redactPayload(shop.access, payload), withheld);
  };
  const purchasingSummary = (shop: ShopState, c: CustomerRec) =>
    emit(shop, "customers/purchasing_summary", purchasingSummaryPayload(shop, c, clock()));

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  // ------------------------------------------------------------ bulk operations
  const activeBulk = (shop: ShopState, type: "QUERY" | "MUTATION") =>
    [...shop.bulkOps.values()].filter(
      (b) => b.type === type && (b.status === "CREATED" || b.status === "RUNNING" || b.status === "CANCELING"),
    );

  const newBulkOp = (shop: ShopState, type: "QUERY" | "MUTATION", query: string, groupObjects: boolean): BulkOpRec => {
    const op: BulkOpRec = {
      id: ids.take(),
      type,
      status: "CREATED",
      query,
      groupObjects,
      createdAt: clock(),
      completedAt: null,
      errorCode: null,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: null,
      url: null,
      partialDataUrl: null,
      stagedUploadPath: null,
      clientIdentifier: null,
      resultFile: null,
      pages: 0,
    };
    shop.bulkOps.set(op.id, op);
    return op;
  };

  const finishBulk = (
    shop: ShopState,
    op: BulkOpRec,
    result: { file: BulkResultFile | null; root: number } | null,
    error: BulkOpRec["errorCode"],
  ) => {
    if (op.status === "CANCELING" || op.status === "CANCELED") {
      op.status = "CANCELED";
    } else if (error) {
      op.status = "FAILED";
      op.errorCode = error;
    } else {
      op.status = "COMPLETED";
      op.objectCount = result?.file?.lines ?? 0;
      op.rootObjectCount = result?.root ?? 0;
      if (result?.file) {
        op.resultFile = result.file.path;
        op.fileSize = result.file.bytes;
        op.url = `${origin}/bulk-results/${op.id}.jsonl`;
      }
    }
    op.completedAt = clock();
    emit(shop, "bulk_operations/finish", bulkFinishPayload(shop, op));
  };

  const runBulk = (shop: ShopState, op: BulkOpRec, work: (out: BulkResultWriter) => Promise<{ root: number }>) => {
    const p = new Promise<void>((resolve) => {
      later(bulkDelay, () => {
        if (op.status === "CANCELING") {
          finishBulk(shop, op, null, null);
          resolve();
          return;
        }
        op.status = "RUNNING";
        const out = bulkFiles.writer(op.id);
        work(out)
          .then(async ({ root }) => ({ file: await out.finish(), root }))
          .then(
            (r) =>
              later(bulkDelay, () => {
                finishBulk(shop, op, r, null);
                resolve();
              }),
            (error: unknown) => {
              void out.finish().catch(() => undefined);
              later(bulkDelay, () => {
                finishBulk(shop, op, null, error instanceof BulkFailure ? error.code : "INTERNAL_SERVER_ERROR");
                resolve();
              });
            },
          );
      });
    });
    bulkRuns.add(p);
    void p.finally(() => bulkRuns.delete(p));
  };

  /**
   * A bulk query, a page of top-level nodes at a time (see BulkWindow): each page executed, flattened and appended
   * to the result file, objectCount kept current as Shopify's is, HTTP requests served between pages, a cancel
   * honoured at the next page.
   */
  const exportBulkQuery = async (shop: ShopState, op: BulkOpRec, check: BulkQueryCheck, out: BulkResultWriter) => {
    const window: BulkWindow = {
      offset: 0,
      limit: options.bulkPageNodes ?? BULK_PAGE_NODES,
      rootTotal: 0,
      sorted: new Map(),
    };
    let root = 0;
    do {
      const result = await executeForBulk(schema, api, shop, check.marked!, undefined, true, window);
      // BulkOperationErrorCode.ACCESS_DENIED: "returned access denied due to missing access scopes".
      if (result.errors?.some((e) => e.extensions?.code === "ACCESS_DENIED")) throw new BulkFailure("ACCESS_DENIED");
      if (result.errors?.length && !result.data) throw new Error(result.errors[0].message);
      const flat = flattenBulkResult(schema, check.doc!, (result.data ?? {}) as Record<string, unknown>);
      await out.add(flat.lines);
      op.objectCount += flat.lines.length;
      op.pages++;
      root += flat.rootObjectCount;
      window.offset += window.limit;
      await new Promise((resolve) => setImmediate(resolve));
    } while (window.offset < window.rootTotal && op.status !== "CANCELING");
    return { root };
  };

  const api: StoreApi = {
    now: clock,
    get origin() {
      return origin;
    },
    apiKey: options.apiKey,
    takeId: () => ids.take(),
    customerTagsChanged(shop, c, added, removed) {
      emit(shop, "customers/update", customerPayload(shop, c));
      if (added.length) emit(shop, "customer.tags_added", tagsEventPayload(c, added, clock()));
      if (removed.length) emit(shop, "customer.tags_removed", tagsEventPayload(c, removed, clock()));
    },
    orderTagsChanged(shop, o) {
      emit(shop, "orders/updated", orderPayload(shop, o));
    },
    startBulkQuery(shop, query, groupObjects) {
      const running = activeBulk(shop, "QUERY");
      if (running.length >= bulkConcurrency) {
        const message =
          bulkConcurrency > 1
            ? "Bulk operations limit reached. Please try again later."
            : `A bulk query operation for this app and shop is already in progress: ${gid("BulkOperation", running[0].id)}.`;
        return {
          userErrors: [{ field: null, message, code: bulkConcurrency > 1 ? "LIMIT_REACHED" : "OPERATION_IN_PROGRESS" }],
        };
      }
      const check = checkBulkQuery(schema, query);
      if (check.error) return { userErrors: [{ field: ["query"], message: check.error, code: "INVALID" }] };
      const tooLarge = inputArrayErrors(schema, check.doc!, {});
      if (tooLarge.length) return { userErrors: [{ field: ["query"], message: tooLarge[0].message, code: "INVALID" }] };
      const op = newBulkOp(shop, "QUERY", query, groupObjects);
      runBulk(shop, op, (out) => exportBulkQuery(shop, op, check, out));
      return { op, userErrors: [] };
    },
    startBulkMutation(shop, mutation, stagedUploadPath, clientIdentifier, groupObjects) {
      const running = activeBulk(shop, "MUTATION");
      if (running.length) {
        return {
          userErrors: [
            {
              field: null,
              message: `A bulk mutation operation for this app and shop is already in progress: ${gid("BulkOperation", running[0].id)}.`,
              code: "OPERATION_IN_PROGRESS",
            },
          ],
        };
      }
      const check = checkBulkMutation(schema, mutation);
      if (check.error) return { userErrors: [{ field: ["mutation"], message: check.error, code: "INVALID_MUTATION" }] };
      const file = stagedUploads.get(stagedUploadPath);
      if (!file)
        return {
          userErrors: [
            { field: ["stagedUploadPath"], message: "The JSONL file could not be found.", code: "NO_SUCH_FILE" },
          ],
        };
      let rows: Array<Record<string, unknown>>;
      try {
        rows = parseVariablesJsonl(file.toString("utf8"));
      } catch (e) {
        return {
          userErrors: [
            {
              field: ["stagedUploadPath"],
              message: `The JSONL file is invalid: ${(e as Error).message}`,
              code: "INVALID_STAGED_UPLOAD_FILE",
            },
          ],
        };
      }
      const op = newBulkOp(shop, "MUTATION", mutation, groupObjects);
      op.stagedUploadPath = stagedUploadPath;
      op.clientIdentifier = clientIdentifier;
      runBulk(shop, op, async (out) => {
        for (let i = 0; i < rows.length; i++) {
          const r = await executeForBulk(schema, api, shop, check.doc!, rows[i], false);
          const line: Record<string, unknown> = { data: r.data ?? null };
          if (r.errors?.length) line.errors = r.errors.map((e) => e.toJSON());
          line.__lineNumber = i;
          await out.add([JSON.stringify(line)]);
        }
        return { root: rows.length };
      });
      return { op, userErrors: [] };
    },
    cancelBulk(shop, id) {
      const op = shop.bulkOps.get(id);
      if (!op) return { userErrors: [{ field: ["id"], message: "Bulk operation does not exist" }] };
      if (op.status !== "CREATED" && op.status !== "RUNNING")
        return {
          op,
          userErrors: [
            { field: null, message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` },
          ],
        };
      op.status = "CANCELING";
      return { op, userErrors: [] };
    },
    createStagedUpload(shop, input): StagedTarget {
      const key = `tmp/${shop.id}/bulk/${uuid()}/${input.filename}`;
      const url = `${origin}/staged-uploads/${key}`;
      return {
        url,
        resourceUrl: null,
        parameters: [
          { name: "Content-Type", value: input.mimeType },
          { name: "success_action_status", value: "201" },
          { name: "acl", value: "private" },
          { name: "key", value: key },
          { name: "x-goog-date", value: new Date(clock()).toISOString().replace(/[-:]|\.\d{3}/g, "") },
          { name: "x-goog-credential", value: "devstore-local/auto/storage/goog4_request" },
          { name: "x-goog-algorithm", value: "GOOG4-RSA-SHA256" },
          { name: "x-goog-signature", value: "devstore-not-signed" },
          { name: "policy", value: Buffer.from(JSON.stringify({ key, devstore: true })).toString("base64") },
        ],
      };
    },
    recordFlowTrigger(shop, handle, payload) {
      flowTriggers.push({ shop: shop.domain, handle, payload, receivedAt: new Date(clock()).toISOString() });
    },
    flowTrigger: (handle) => triggers.get(handle),
  };

  // ------------------------------------------------------------ HTTP
  const ensureInstalled = (domain: string): string => {
    const shop = addShop(domain);
    shop.installed = true;
    return grantedScopes(shop.access).join(",");
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const p = url.pathname;
    const method = req.method ?? "GET";

    if (p.startsWith("/admin/")) {
      if (faults.timeoutRate && faultRand() < faults.timeoutRate) {
        hung.add(res);
        res.on("close", () => hung.delete(res));
        req.resume();
        return;
      }
      if (faults.errorRate && faultRand() < faults.errorRate) {
        req.resume();
        const status = faults.errorStatus ?? 503;
        sendJson(res, status, { errors: status === 503 ? "Service Unavailable" : "Internal Server Error" });
        return;
      }
    }

    if (method === "GET" && p === "/health") return sendJson(res, 200, { ok: true, shops: shops.size });

    const gql = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(p);
    if (gql) {
      if (method !== "POST") return sendJson(res, 405, { errors: "Method Not Allowed" });
      const raw = await readBody(req);
      if (gql[1] !== API_VERSION) return sendJson(res, 404, { errors: "Not Found" });
      const token = req.headers["x-shopify-access-token"];
      const rec = tokens.lookup(Array.isArray(token) ? token[0] : token, clock());
      const hostShop = headerShop(req);
      const shop = rec ? shops.get(rec.shop) : undefined;
      if (!rec || !shop || !shop.installed || (hostShop && hostShop !== rec.shop))
        return sendJson(res, 401, INVALID_TOKEN_BODY);
      let body: Record<string, unknown>;
      const ctype = String(req.headers["content-type"] ?? "");
      try {
        body = ctype.includes("application/graphql")
          ? { query: raw.toString("utf8") }
          : JSON.parse(raw.toString("utf8") || "{}");
      } catch {
        return sendJson(res, 400, { errors: "Bad Request: invalid JSON" });
      }
      const out = await runGraphQLRequest(schema, api, shop, body);
      return sendJson(res, out.status, out.body);
    }

    if (p === "/admin/oauth/access_token") {
      if (method !== "POST") return sendJson(res, 405, { errors: "Method Not Allowed" });
      const raw = (await readBody(req)).toString("utf8");
      let body: Record<string, unknown>;
      try {
        body = String(req.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded")
          ? Object.fromEntries(new URLSearchParams(raw))
          : JSON.parse(raw || "{}");
      } catch {
        return sendJson(res, 400, { error: "invalid_request", error_description: "Body is not valid JSON." });
      }
      const out = await handleAccessTokenRequest(
        {
          apiKey: options.apiKey,
          apiSecret: options.apiSecret,
          now: clock,
          tokens,
          ensureInstalled,
          hostShop: headerShop(req),
        },
        body,
      );
      return sendJson(res, out.status, out.body);
    }

    const bulkRes = /^\/bulk-results\/(\d+)\.jsonl$/.exec(p);
    if (bulkRes && method === "GET") {
      const id = Number(bulkRes[1]);
      for (const shop of shops.values()) {
        const op = shop.bulkOps.get(id);
        if (op?.resultFile) {
          res.writeHead(200, { "Content-Type": "application/jsonl", "Content-Length": String(op.fileSize) });
          fs.createReadStream(op.resultFile).pipe(res);
          return;
        }
      }
      return sendJson(res, 404, { errors: "Not Found" });
    }

    if (p.startsWith("/staged-uploads/") && (method === "POST" || method === "PUT")) {
      const raw = await readBody(req);
      const pathKey = decodeURIComponent(p.slice("/staged-uploads/".length));
      let key = pathKey;
      let content: Buffer = raw;
      const ctype = String(req.headers["content-type"] ?? "");
      if (method === "POST" && ctype.includes("multipart/form-data")) {
        const form = await new Request("http://devstore.local/upload", {
          method: "POST",
          headers: { "content-type": ctype },
          body: new Uint8Array(raw),
        }).formData();
        const k = form.get("key");
        if (typeof k === "string" && k) key = k;
        const file = form.get("file");
        if (file === null) return sendJson(res, 400, { errors: "missing file field" });
        content = typeof file === "string" ? Buffer.from(file) : Buffer.from(await file.arrayBuffer());
      }
      stagedUploads.set(key, content);
      const xml = `<?xml version='1.0' encoding='UTF-8'?><PostResponse><Location>${origin}/staged-uploads/${key}</Location><Bucket>devstore</Bucket><Key>${key}</Key><ETag>"${content.length}"</ETag></PostResponse>`;
      res.writeHead(method === "PUT" ? 200 : 201, { "Content-Type": "application/xml" });
      res.end(xml);
      return;
    }

    return sendJson(res, 404, { errors: "Not Found" });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, { errors: `devstore internal error: ${(e as Error).message}` });
      else res.destroy();
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // ------------------------------------------------------------ merchant simulation
  const createCustomer = (domain: string, input: CreateCustomerInput = {}): CustomerRec => {
    const shop = shopOf(domain);
    const now = clock();
    const c = emptyCustomer(ids.take(), toMs(input.createdAt, now));
    c.updatedAt = Math.max(c.createdAt, now);
    c.email = input.email ?? null;
    c.firstName = input.firstName ?? null;
    c.lastName = input.lastName ?? null;
    c.phone = input.phone ?? null;
    c.note = input.note ?? null;
    c.tags = input.tags ? splitTags(input.tags) : [];
    c.country = input.country ?? null;
    c.countryCode = input.countryCode ?? null;
    if (input.emailMarketingState) {
      c.emailMarketing = {
        state: input.emailMarketingState,
        optInLevel: input.emailMarketingState === "SUBSCRIBED" ? "SINGLE_OPT_IN" : null,
        consentUpdatedAt: c.createdAt,
      };
    }
    shop.customers.set(c.id, c);
    emit(shop, "customers/create", customerPayload(shop, c));
    return c;
  };

  const createOrder = (domain: string, input: CreateOrderInput = {}): OrderRec => {
    const shop = shopOf(domain);
    const now = clock();
    let customer: CustomerRec | undefined;
    if (input.customerId !== undefined && input.customerId !== null) {
      const f = findCustomer(input.customerId);
      if (!f || f.shop !== shop) throw new Error(`devstore: unknown customer ${input.customerId} in ${domain}`);
      customer = f.customer;
    }
    const lines: OrderLine[] = (input.lines ?? []).map((l) => ({
      title: l.title,
      sku: l.sku ?? null,
      quantity: l.quantity,
      priceMinor: toMinor(l.price),
    }));
    const total =
      input.total !== undefined ? toMinor(input.total) : lines.reduce((s, l) => s + l.priceMinor * l.quantity, 0);
    const createdAt = toMs(input.createdAt, now);
    const number = shop.nextOrderNumber++;
    const o: OrderRec = {
      id: ids.take(),
      number,
      name: input.name ?? `#${number}`,
      createdAt,
      processedAt: createdAt,
      updatedAt: Math.max(createdAt, now),
      cancelledAt: null,
      cancelReason: null,
      closedAt: null,
      test: input.test ?? false,
      customerId: customer?.id ?? null,
      email: input.email ?? customer?.email ?? null,
      currency: input.currency ?? shop.currencyCode,
      totalMinor: total,
      refundedMinor: 0,
      financialStatus: input.financialStatus ?? "PAID",
      lines,
      tags: input.tags ? splitTags(input.tags) : [],
      country: customer?.country ?? null,
      countryCode: customer?.countryCode ?? null,
    };
    shop.orders.set(o.id, o);
    emit(shop, "orders/create", orderPayload(shop, o));
    if (o.financialStatus === "PAID") emit(shop, "orders/paid", orderPayload(shop, o));
    if (customer) {
      attachOrder(shop, customer, o);
      customer.updatedAt = Math.max(customer.updatedAt, now);
      purchasingSummary(shop, customer);
    }
    return o;
  };

  const afterOrderChange = (shop: ShopState, o: OrderRec) => {
    if (o.customerId === null) return;
    const c = shop.customers.get(o.customerId);
    if (!c) return;
    c.updatedAt = Math.max(c.updatedAt, clock());
    purchasingSummary(shop, c);
  };

  const store: DevStore = {
    get origin() {
      return origin;
    },
    apiKey: options.apiKey,
    shops,
    schema,
    addShop,
    setAccess(domain, input) {
      const shop = shopOf(domain);
      const previous = grantedScopes(shop.access);
      shop.access = installAccess(input.scopes ?? previous, input.protectedCustomerData ?? protectedInput(shop.access));
      const current = grantedScopes(shop.access);
      if (shop.installed && previous.join(",") !== current.join(",")) {
        emit(shop, "app/scopes_update", {
          id: ids.take(),
          shop_id: gid("Shop", shop.id),
          previous,
          current,
          updated_at: new Date(clock()).toISOString(),
        });
      }
    },
    async seedOnlineRetail(domain, opts = {}) {
      const shop = addShop(domain);
      return seedOnlineRetailInto(shop, ids, opts);
    },
    seedFromRows(domain, rows) {
      return seedRowsInto(addShop(domain), ids, rows);
    },
    seedGenerated(domain, opts) {
      return seedGeneratedStore(addShop(domain), ids, opts);
    },
    issueOfflineToken(domain) {
      const scope = ensureInstalled(domain.toLowerCase());
      return tokens.issueOffline(domain.toLowerCase(), scope, clock(), false).access_token;
    },
    setBucket(domain, b) {
      const shop = shopOf(domain);
      refill(shop.bucket, clock());
      if (b.maximumAvailable !== undefined) shop.bucket.maximumAvailable = b.maximumAvailable;
      if (b.restoreRate !== undefined) shop.bucket.restoreRate = b.restoreRate;
      if (b.currentlyAvailable !== undefined) shop.bucket.available = b.currentlyAvailable;
      shop.bucket.available = Math.min(shop.bucket.available, shop.bucket.maximumAvailable);
    },
    stats(domain) {
      const shop = shopOf(domain);
      refill(shop.bucket, clock());
      return { ...shop.stats, throttleStatus: throttleStatus(shop.bucket) };
    },
    createCustomer,
    updateCustomer(ref, patch) {
      const { shop, customer: c } = mustCustomer(ref);
      if (patch.email !== undefined) c.email = patch.email;
      if (patch.firstName !== undefined) c.firstName = patch.firstName;
      if (patch.lastName !== undefined) c.lastName = patch.lastName;
      if (patch.phone !== undefined) c.phone = patch.phone;
      if (patch.note !== undefined) c.note = patch.note;
      if (patch.country !== undefined) c.country = patch.country;
      if (patch.countryCode !== undefined) c.countryCode = patch.countryCode;
      if (patch.tags !== undefined) c.tags = splitTags(patch.tags);
      c.updatedAt = Math.max(c.updatedAt, clock());
      emit(shop, "customers/update", customerPayload(shop, c));
      return c;
    },
    setEmailMarketingState(ref, state, opts = {}) {
      const { shop, customer: c } = mustCustomer(ref);
      const at = toMs(opts.at, clock());
      c.emailMarketing = {
        state,
        optInLevel:
          opts.optInLevel !== undefined
            ? opts.optInLevel
            : state === "SUBSCRIBED"
              ? "SINGLE_OPT_IN"
              : c.emailMarketing.optInLevel,
        consentUpdatedAt: at,
      };
      c.updatedAt = Math.max(c.updatedAt, clock());
      emit(shop, "customers_email_marketing_consent/update", emailConsentPayload(shop, c));
      return c;
    },
    deleteCustomer(ref) {
      const { shop, customer: c } = mustCustomer(ref);
      if (c.orderIds.length) throw new Error("devstore: Shopify cannot delete a customer who has orders");
      shop.customers.delete(c.id);
      emit(shop, "customers/delete", customerDeletePayload(c));
    },
    mergeCustomers(keepRef, mergeRef) {
      const keep = mustCustomer(keepRef);
      const merge = mustCustomer(mergeRef);
      if (keep.shop !== merge.shop) throw new Error("devstore: customers of different shops");
      const shop = keep.shop;
      for (const id of [...merge.customer.orderIds]) {
        const o = shop.orders.get(id);
        if (!o) continue;
        o.customerId = keep.customer.id;
        o.updatedAt = clock();
        attachOrder(shop, keep.customer, o);
      }
      merge.customer.orderIds = [];
      keep.customer.tags = splitTags([...keep.customer.tags, ...merge.customer.tags]);
      if (!keep.customer.email) keep.customer.email = merge.customer.email;
      keep.customer.createdAt = Math.min(keep.customer.createdAt, merge.customer.createdAt);
      keep.customer.updatedAt = clock();
      shop.customers.delete(merge.customer.id);
      emit(shop, "customers/merge", mergePayload(keep.customer.id, merge.customer.id, gid("Job", uuid())));
      emit(shop, "customers/update", customerPayload(shop, keep.customer));
      purchasingSummary(shop, keep.customer);
      return keep.customer;
    },
    sendPurchasingSummary(ref) {
      const { shop, customer } = mustCustomer(ref);
      purchasingSummary(shop, customer);
    },
    createOrder,
    updateOrder(domain, ref, patch) {
      const shop = shopOf(domain);
      const o = mustOrder(shop, ref);
      if (patch.tags !== undefined) o.tags = splitTags(patch.tags);
      if (patch.email !== undefined) o.email = patch.email;
      if (patch.test !== undefined) o.test = patch.test;
      o.updatedAt = Math.max(o.updatedAt, clock());
      emit(shop, "orders/updated", orderPayload(shop, o));
      return o;
    },
    cancelOrder(domain, ref, opts = {}) {
      const shop = shopOf(domain);
      const o = mustOrder(shop, ref);
      if (o.cancelledAt !== null) return o;
      const at = toMs(opts.at, clock());
      o.cancelledAt = at;
      o.cancelReason = opts.reason ?? "CUSTOMER";
      if (opts.refund !== false) {
        if (o.financialStatus === "PENDING" || o.financialStatus === "AUTHORIZED") o.financialStatus = "VOIDED";
        else {
          o.refundedMinor = o.totalMinor;
          o.financialStatus = "REFUNDED";
        }
      }
      o.updatedAt = Math.max(o.updatedAt, clock());
      emit(shop, "orders/cancelled", orderPayload(shop, o));
      emit(shop, "orders/updated", orderPayload(shop, o));
      afterOrderChange(shop, o);
      return o;
    },
    refundOrder(domain, ref, opts = {}) {
      const shop = shopOf(domain);
      const o = mustOrder(shop, ref);
      const amount =
        opts.full !== false && opts.amount === undefined ? o.totalMinor - o.refundedMinor : toMinor(opts.amount ?? 0);
      o.refundedMinor = Math.min(o.totalMinor, o.refundedMinor + amount);
      o.financialStatus = o.refundedMinor >= o.totalMinor ? "REFUNDED" : "PARTIALLY_REFUNDED";
      o.updatedAt = Math.max(o.updatedAt, clock());
      emit(shop, "orders/updated", orderPayload(shop, o));
      afterOrderChange(shop, o);
      return o;
    },
    deleteOrder(domain, ref) {
      const shop = shopOf(domain);
      const o = mustOrder(shop, ref);
      shop.orders.delete(o.id);
      const c = o.customerId !== null ? shop.customers.get(o.customerId) : undefined;
      if (c) detachOrder(c, o.id);
      emit(shop, "orders/delete", orderDeletePayload(o));
      if (c) {
        c.updatedAt = Math.max(c.updatedAt, clock());
        purchasingSummary(shop, c);
      }
    },
    uninstall(domain) {
      const shop = shopOf(domain);
      shop.installed = false;
      tokens.revokeShop(shop.domain);
      emit(shop, "app/uninstalled", shopPayload(shop));
    },
    requestCustomerData(ref) {
      const { shop, customer } = mustCustomer(ref);
      emit(shop, "customers/data_request", {
        shop_id: shop.id,
        shop_domain: shop.domain,
        orders_requested: [...customer.orderIds],
        customer: complianceCustomer(customer),
        data_request: { id: ids.take() },
      });
    },
    redactCustomer(ref) {
      const { shop, customer } = mustCustomer(ref);
      emit(shop, "customers/redact", {
        shop_id: shop.id,
        shop_domain: shop.domain,
        customer: complianceCustomer(customer),
        orders_to_redact: [...customer.orderIds],
      });
    },
    redactShop(domain) {
      const shop = shopOf(domain);
      emit(shop, "shop/redact", { shop_id: shop.id, shop_domain: shop.domain });
    },
    addMarketingActivity(domain, input) {
      const shop = shopOf(domain);
      const now = clock();
      const createdAt = toMs(input.createdAt, now);
      const a: MarketingActivityRec = {
        id: ids.take(),
        title: input.title,
        status: input.status ?? "ACTIVE",
        tactic: input.tactic ?? "NEWSLETTER",
        marketingChannelType: input.marketingChannelType ?? "EMAIL",
        createdAt,
        updatedAt: toMs(input.updatedAt, createdAt),
        startedAt: toMs(input.startedAt, createdAt),
        scheduledToEndAt: toMs(input.scheduledToEndAt, null),
        endedAt: toMs(input.endedAt, null),
        utm: input.utm
          ? { campaign: input.utm.campaign ?? null, source: input.utm.source ?? null, medium: input.utm.medium ?? null }
          : null,
        isExternal: input.isExternal ?? true,
        remoteId: input.remoteId ?? null,
        eventId: ids.take(),
        app: input.app ?? options.apiKey,
      };
      shop.marketingActivities.set(a.id, a);
      return a;
    },
    addDiscount(domain, input) {
      const shop = shopOf(domain);
      const now = clock();
      const segIds =
        input.segments?.map((s) => {
          const id = typeof s === "object" ? s.id : typeof s === "number" ? s : (parseGid(s)?.id ?? Number(s));
          if (!shop.segments.has(id)) throw new Error(`devstore: unknown segment ${typeof s === "object" ? s.id : s}`);
          return id;
        }) ?? null;
      const custIds = input.customers?.map((c) => mustCustomer(c).customer.id) ?? null;
      const startsAt = toMs(input.startsAt, now);
      const endsAt = toMs(input.endsAt, null);
      const kind = input.kind ?? (input.codes?.length ? "code_basic" : "automatic_basic");
      const status =
        input.status ?? (startsAt > now ? "SCHEDULED" : endsAt !== null && endsAt <= now ? "EXPIRED" : "ACTIVE");
      const d: DiscountRec = {
        id: ids.take(),
        kind,
        title: input.title,
        status,
        startsAt,
        endsAt,
        createdAt: now,
        updatedAt: now,
        codes:
          kind === "code_basic"
            ? input.codes?.length
              ? input.codes
              : [input.title.toUpperCase().replace(/\W+/g, "")]
            : [],
        segmentIds: segIds,
        customerIds: segIds ? null : custIds,
        percentage: input.amount === undefined ? (input.percentage ?? 0.1) : null,
        amountMinor: input.amount !== undefined ? toMinor(input.amount) : null,
        summary:
          input.summary ??
          (input.amount !== undefined
            ? `${input.amount} ${shop.currencyCode} off entire order`
            : `${Math.round((input.percentage ?? 0.1) * 100)}% off entire order`),
        tags: input.tags ?? [],
        usageLimit: input.usageLimit ?? null,
        appliesOncePerCustomer: input.appliesOncePerCustomer ?? false,
        asyncUsageCount: 0,
      };
      shop.discounts.set(d.id, d);
      return d;
    },
    addSegment(domain, input) {
      const shop = shopOf(domain);
      if ([...shop.segments.values()].some((s) => s.name.toLowerCase() === input.name.toLowerCase()))
        throw new Error(`devstore: segment name taken: ${input.name}`);
      const now = clock();
      const s: SegmentRec = {
        id: ids.take(),
        name: input.name,
        query: input.query,
        creationDate: now,
        lastEditDate: now,
      };
      shop.segments.set(s.id, s);
      return s;
    },
    findCustomer,
    webhooks: {
      get mode() {
        return engine.mode;
      },
      set mode(m: WebhookMode) {
        engine.mode = m;
      },
      get deliveries() {
        return engine.deliveries;
      },
      get events() {
        return engine.events;
      },
      recorded: () => engine.recorded(),
      clear: () => engine.clear(),
      flush: (opts) => engine.flush(opts),
      replay: (d) => engine.replay(d),
      send: (domain, topic, payload, opts) => engine.send(domain.toLowerCase(), topic, payload, opts),
      drain: () => engine.drain(),
    },
    faults: {
      set(f) {
        faults = { ...f };
        faultRand = mulberry32(f.seed ?? 1);
      },
      clear() {
        faults = {};
      },
      get current() {
        return faults;
      },
    },
    flowTriggers,
    stagedUploads,
    async bulkIdle() {
      while (bulkRuns.size) await Promise.allSettled([...bulkRuns]);
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const r of hung) r.destroy();
      hung.clear();
      await engine.drain().catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      bulkFiles.removeAll();
    },
  };
  return store;
}

/** An installation's protected customer data as setAccess takes it. */
function protectedInput(access: InstallAccess): ProtectedDataLevel | ProtectedField[] {
  if (access.protectedLevel < 2) return access.protectedLevel;
  return PROTECTED_FIELDS.every((f) => access.protectedFields.has(f)) ? 2 : [...access.protectedFields];
}

function headerShop(req: http.IncomingMessage): string | null {
  const h = req.headers["x-devstore-shop"];
  const v = Array.isArray(h) ? h[0] : h;
  return v ? v.toLowerCase() : null;
}

/**
 * A fetch that sends requests for https://<shop>.myshopify.com/... to the dev store
 * (keeping the shop in an X-Devstore-Shop header); everything else goes to `base`.
 * Use it where the app's Shopify client takes a fetch (e.g. @shopify/shopify-api's setAbstractFetchFunc).
 */
class BulkFailure extends Error {
  constructor(readonly code: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT") {
    super(code);
  }
}

export function devStoreFetch(origin: string, base: typeof fetch = globalThis.fetch): typeof fetch {
  const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const u = new URL(typeof input === "string" || input instanceof URL ? String(input) : input.url);
    if (!u.hostname.endsWith(".myshopify.com")) return base(input, init);
    const target = `${origin}${u.pathname}${u.search}`;
    if (input instanceof Request) {
      const headers = new Headers(input.headers);
      headers.set("X-Devstore-Shop", u.hostname);
      const body = input.body ? await input.arrayBuffer() : undefined;
      return base(target, { method: input.method, headers, body, signal: init?.signal ?? input.signal });
    }
    const headers = new Headers(init?.headers);
    headers.set("X-Devstore-Shop", u.hostname);
    return base(target, { ...init, headers });
  };
  return wrapped as typeof fetch;
}

export { customerAggregates };
export { calculateQueryCost, calculateActualCost } from "./cost";
export { signWebhook, buildDeliveryHeaders } from "./webhooks";
export { makeIdToken, embeddedAppUrl } from "./id-token";
export type { CustomerRec, OrderRec, ShopState, WebhookDelivery };

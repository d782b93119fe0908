import { Prisma, type PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { COMPLIANCE_TOPICS, SUBSCRIBED_TOPICS } from "../../app/webhooks/topics";
import { startDevStore, type DevStore, type WebhookDelivery } from "../devstore/server";
import { appUnderTest, findText, rowsOfShop, type AppUnderTest } from "../support/app-under-test";
import { describeEachDatabase, type TestDb } from "../support/databases";

const SHOP = "privacy-a.myshopify.com";
const OTHER = "privacy-b.myshopify.com";
const DAY = 86_400_000;
const TOPICS: readonly string[] = [...SUBSCRIBED_TOPICS, ...COMPLIANCE_TOPICS];

interface Person {
  id: number;
  gid: string;
  email: string;
  firstName: string;
  lastName: string;
  phone: string;
}

// What Shopify tells the app about people, none of which the app needs: after processing, none of it may be stored.
function personalData(people: readonly Person[]): string[] {
  return people.flatMap((p) => [p.email, p.firstName, p.lastName, p.phone]);
}

/**
 * A row in every table with a shop column that has none for the shop yet, every field filled by its type from
 * Prisma's datamodel (the runtime datamodel does not say which are required): a table added later is covered without
 * editing this test. Ids are set far above what autoincrement has handed out.
 */
async function fillEveryShopTable(db: PrismaClient, shop: string): Promise<void> {
  const filler: Record<string, unknown> = {
    String: "x",
    Int: 0,
    BigInt: 0n,
    Float: 0,
    Boolean: false,
    DateTime: new Date(),
    Json: "{}",
  };
  for (const model of Prisma.dmmf.datamodel.models) {
    const shopField = model.fields.some((f) => f.name === "shop") ? "shop" : model.name === "Shop" ? "domain" : null;
    if (!shopField) continue;
    const delegate = (
      db as unknown as Record<string, { count(a: unknown): Promise<number>; create(a: unknown): Promise<unknown> }>
    )[model.name[0].toLowerCase() + model.name.slice(1)];
    if ((await delegate.count({ where: { [shopField]: shop } })) > 0) continue;
    const data: Record<string, unknown> = { [shopField]: shop };
    for (const field of model.fields) {
      if (field.kind !== "scalar" || field.name in data || !(field.type in filler)) continue;
      data[field.name] = field.name === "id" && field.type === "Int" ? 1_999_999_999 : filler[field.type];
    }
    await delegate.create({ data });
  }
}

describeEachDatabase("privacy: compliance webhooks and what the app keeps", (database) => {
  let devStore: DevStore;
  let testDb: TestDb;
  let app: AppUnderTest;
  const people = new Map<string, Person[]>();

  async function stageCounts(shop: string) {
    const rows = await testDb.db.stageCount.findMany({ where: { shop } });
    return new Map(rows.map((r) => [r.stage, { customers: r.customers, netSpentMinor: r.netSpentMinor }]));
  }

  /** Delivers what the dev store sent since the last call (subscribed topics only, as the routes accept) and processes it. */
  async function deliverAndProcess(): Promise<WebhookDelivery[]> {
    const sent = devStore.webhooks.recorded().filter((d) => TOPICS.includes(d.topic));
    devStore.webhooks.clear();
    await app.receive(sent);
    await app.processInbox();
    return sent;
  }

  beforeAll(async () => {
    devStore = await startDevStore({ port: 0, apiKey: "privacy-key", apiSecret: "privacy-secret" });
    devStore.webhooks.mode = "record";
    testDb = await database.create();
    app = appUnderTest(testDb.db, devStore);
    for (const [s, shop] of [SHOP, OTHER].entries()) {
      await app.install(shop);
      const list: Person[] = [];
      for (let i = 0; i < 6; i++) {
        const firstName = `Ada${s}${i}x`;
        const lastName = `Lovelace${s}${i}y`;
        const phone = `+4420790${s}${i}123`;
        const email = `ada.${s}.${i}@private.example`;
        const customer = devStore.createCustomer(shop, {
          email,
          firstName,
          lastName,
          phone,
          emailMarketingState: i % 2 ? "SUBSCRIBED" : "NOT_SUBSCRIBED",
        });
        for (let o = 0; o <= i % 3; o++) {
          devStore.createOrder(shop, {
            customerId: customer.id,
            email,
            createdAt: Date.now() - (o + 1) * 30 * DAY,
            total: 20 + o,
          });
        }
        list.push({ id: customer.id, gid: `gid://shopify/Customer/${customer.id}`, email, firstName, lastName, phone });
      }
      people.set(shop, list);
      await testDb.db.campaign.create({ data: { shop, source: "manual", name: `Welcome series ${s}`, stage: 1 } });
    }
    await deliverAndProcess();
  }, 120_000);

  afterAll(async () => {
    await testDb?.close();
    await devStore?.close();
  });

  it("after processing, the inbox keeps event ids but no payloads: no name, email or phone is stored anywhere", async () => {
    expect(await testDb.db.customer.count({ where: { shop: SHOP } })).toBe(6);
    expect(await testDb.db.order.count({ where: { shop: SHOP } })).toBe(12);
    const inbox = await testDb.db.webhookDelivery.findMany();
    expect(inbox.length).toBeGreaterThan(0);
    expect(inbox.every((d) => d.processedAt !== null && d.payload === "")).toBe(true);
    expect(
      await findText(testDb.db, [...personalData(people.get(SHOP)!), ...personalData(people.get(OTHER)!)]),
    ).toEqual([]);
  });

  it("customers/data_request stores exactly that customer's stored data, for the merchant to hand over", async () => {
    const person = people.get(SHOP)![4];
    devStore.requestCustomerData(person.id);
    await deliverAndProcess();

    const exports = await testDb.db.dataRequestExport.findMany({ where: { shop: SHOP } });
    expect(exports).toHaveLength(1);
    expect(exports[0].customerGid).toBe(person.gid);
    const data = JSON.parse(exports[0].data) as {
      customer: { gid: string; stage: string | null };
      orders: Array<{ gid: string; customerGid: string }>;
      stageChanges: Array<{ customerGid: string }>;
    };
    const stored = await testDb.db.customer.findUnique({ where: { shop_gid: { shop: SHOP, gid: person.gid } } });
    expect(data.customer).toMatchObject({ gid: person.gid, stage: stored!.stage });
    const orders = await testDb.db.order.findMany({ where: { shop: SHOP, customerGid: person.gid } });
    expect(data.orders.map((o) => o.gid).sort()).toEqual(orders.map((o) => o.gid).sort());
    expect(data.orders.every((o) => o.customerGid === person.gid)).toBe(true);
    expect(data.stageChanges.length).toBeGreaterThan(0);
    expect(data.stageChanges.every((c) => c.customerGid === person.gid)).toBe(true);
    // Nobody else's data is in it.
    const others = people
      .get(SHOP)!
      .filter((p) => p.id !== person.id)
      .map((p) => p.gid);
    expect(others.filter((gid) => exports[0].data.includes(gid))).toEqual([]);
  });

  it("customers/redact erases the customer, its orders, its history and its export; other customers stay", async () => {
    const person = people.get(SHOP)![4];
    const redacted = await testDb.db.customer.findUnique({ where: { shop_gid: { shop: SHOP, gid: person.gid } } });
    expect(redacted?.stage).toBeTruthy();
    const countsBefore = await stageCounts(SHOP);
    devStore.redactCustomer(person.id);
    await deliverAndProcess();

    expect(await testDb.db.customer.count({ where: { shop: SHOP, gid: person.gid } })).toBe(0);
    expect(await testDb.db.order.count({ where: { shop: SHOP, customerGid: person.gid } })).toBe(0);
    expect(await testDb.db.stageChange.count({ where: { shop: SHOP, customerGid: person.gid } })).toBe(0);
    expect(await testDb.db.dataRequestExport.count({ where: { shop: SHOP } })).toBe(0);
    // Nothing anywhere mentions the customer any more (the redact delivery itself included).
    expect(await findText(testDb.db, [person.gid, person.email, person.phone])).toEqual([]);
    expect(await testDb.db.customer.count({ where: { shop: SHOP } })).toBe(5);
    expect(await testDb.db.order.count({ where: { shop: SHOP } })).toBe(12 - 2);
    // The board's stage counts no longer include the customer: one fewer at its stage, its spend gone with it...
    const countsAfter = await stageCounts(SHOP);
    expect(countsAfter.get(redacted!.stage!)).toEqual({
      customers: countsBefore.get(redacted!.stage!)!.customers - 1,
      netSpentMinor: countsBefore.get(redacted!.stage!)!.netSpentMinor - redacted!.netSpentMinor,
    });
    // ...and every count agrees with the customers that are left, counted here one by one.
    const left = await testDb.db.customer.findMany({ where: { shop: SHOP, deletedAt: null } });
    const expected = new Map<string, { customers: number; netSpentMinor: bigint }>();
    for (const c of left) {
      const entry = expected.get(c.stage!) ?? { customers: 0, netSpentMinor: 0n };
      expected.set(c.stage!, { customers: entry.customers + 1, netSpentMinor: entry.netSpentMinor + c.netSpentMinor });
    }
    expect(new Map([...countsAfter].filter(([, v]) => v.customers > 0))).toEqual(expected);
  });

  it("app/uninstalled drops the shop's sessions at once and nothing of the other shop", async () => {
    devStore.uninstall(SHOP);
    await deliverAndProcess();
    expect(await testDb.db.session.count({ where: { shop: SHOP } })).toBe(0);
    expect((await testDb.db.shop.findUnique({ where: { domain: SHOP } }))?.uninstalledAt).not.toBeNull();
    expect(await testDb.db.session.count({ where: { shop: OTHER } })).toBe(1);
  });

  it("shop/redact erases every row of the shop in every table; the other shop is untouched", async () => {
    // Every table that can hold a row of the shop holds one, so "nothing left" is checked against something.
    await fillEveryShopTable(testDb.db, SHOP);
    const before = await rowsOfShop(testDb.db, SHOP);
    expect(Object.entries(before).filter(([, count]) => count === 0)).toEqual([]);
    const otherBefore = await rowsOfShop(testDb.db, OTHER);
    devStore.redactShop(SHOP);
    await deliverAndProcess();

    const left = await rowsOfShop(testDb.db, SHOP);
    expect(Object.entries(left).filter(([, count]) => count !== null && count > 0)).toEqual([]);
    expect(await rowsOfShop(testDb.db, OTHER)).toEqual(otherBefore);
    expect(otherBefore.Customer).toBe(6);
    expect(otherBefore.Session).toBe(1);
    expect(await findText(testDb.db, [SHOP, ...personalData(people.get(SHOP)!)])).toEqual([]);
  });
});

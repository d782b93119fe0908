import { describe, expect, it } from "vitest";
import { appTagStagesInSegmentQuery, stageForDiscount, stageOfAppTag } from "../../app/campaigns/discounts";

const PREFIX = "lifecycle:";
const appSegments = [
  { stage: "enquirer", segmentGid: "gid://shopify/Segment/1" },
  { stage: "first-time-buyer", segmentGid: "gid://shopify/Segment/2" },
  { stage: "lapsed", segmentGid: "gid://shopify/Segment/3" },
  { stage: "repeat-buyer", segmentGid: "gid://shopify/Segment/4" },
];
const segments = (...ids: Array<{ id: string; query?: string }>) => ({
  contextType: "DiscountCustomerSegments",
  segments: ids,
  tags: [] as string[],
});

describe("discount → stage", () => {
  it("a discount for the app's enquirer segment is Stage 3 (the stage that starts at enquirers)", () => {
    expect(stageForDiscount(segments({ id: "gid://shopify/Segment/1" }), appSegments, PREFIX)).toEqual({
      stage: 3,
      audience: "enquirer",
    });
  });

  it("first-time buyers → Stage 4, repeat buyers → Stage 5", () => {
    expect(stageForDiscount(segments({ id: "gid://shopify/Segment/2" }), appSegments, PREFIX)?.stage).toBe(4);
    expect(stageForDiscount(segments({ id: "gid://shopify/Segment/4" }), appSegments, PREFIX)?.stage).toBe(5);
  });

  it("a win-back discount for lapsed customers belongs to Stage 4", () => {
    expect(stageForDiscount(segments({ id: "gid://shopify/Segment/3" }), appSegments, PREFIX)).toEqual({
      stage: 4,
      audience: "lapsed",
    });
  });

  it("a merchant's own segment that tests an app tag counts, win-back tier tags included", () => {
    const own = {
      id: "gid://shopify/Segment/99",
      query: "customer_tags CONTAINS 'lifecycle:winback-180' AND amount_spent > 100",
    };
    expect(stageForDiscount(segments(own), appSegments, PREFIX)).toEqual({ stage: 4, audience: "lapsed" });
    const visitors = { id: "gid://shopify/Segment/98", query: "customer_tags CONTAINS 'lifecycle:visitor'" };
    expect(stageForDiscount(segments(visitors), appSegments, PREFIX)?.stage).toBe(2);
  });

  it("a segment that excludes an app tag is not targeting it", () => {
    expect(appTagStagesInSegmentQuery("customer_tags NOT CONTAINS 'lifecycle:lapsed'", PREFIX)).toEqual([]);
    const own = { id: "gid://shopify/Segment/97", query: "NOT customer_tags CONTAINS 'lifecycle:lapsed'" };
    expect(stageForDiscount(segments(own), appSegments, PREFIX)).toBeNull();
  });

  it("a discount carrying an app tag itself is placed by that tag", () => {
    expect(
      stageForDiscount(
        { contextType: "DiscountBuyerSelectionAll", segments: [], tags: ["summer", "lifecycle:first-time-buyer"] },
        appSegments,
        PREFIX,
      )?.stage,
    ).toBe(4);
  });

  it("discounts for everyone, for listed customers or for unrelated segments are not the board's campaigns", () => {
    expect(
      stageForDiscount({ contextType: "DiscountBuyerSelectionAll", segments: [], tags: [] }, appSegments, PREFIX),
    ).toBeNull();
    expect(
      stageForDiscount({ contextType: "DiscountCustomers", segments: [], tags: [] }, appSegments, PREFIX),
    ).toBeNull();
    expect(
      stageForDiscount(
        segments({ id: "gid://shopify/Segment/50", query: "number_of_orders >= 2" }),
        appSegments,
        PREFIX,
      ),
    ).toBeNull();
  });

  it("several targeted levels: the earliest stage wins", () => {
    expect(
      stageForDiscount(
        segments({ id: "gid://shopify/Segment/4" }, { id: "gid://shopify/Segment/1" }),
        appSegments,
        PREFIX,
      )?.stage,
    ).toBe(3);
  });

  it("follows a custom tag prefix and ignores case", () => {
    expect(stageOfAppTag("LC-Repeat-Buyer", "lc-")).toBe("repeat-buyer");
    expect(stageOfAppTag("lifecycle:repeat-buyer", "lc-")).toBeNull();
    expect(stageOfAppTag("lifecycle:unknown", PREFIX)).toBeNull();
  });
});

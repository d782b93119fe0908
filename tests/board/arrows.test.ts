import { describe, expect, it } from "vitest";
import { manArrow } from "../../app/board/arrows";

const levels = (enquirer: number, first: number, repeat: number, regular: number) => [
  { level: "enquirer" as const, customers: enquirer },
  { level: "first-time-buyer" as const, customers: first },
  { level: "repeat-buyer" as const, customers: repeat },
  { level: "regular-buyer" as const, customers: regular },
];

describe("the Man arrow as the shop's data draws it", () => {
  it("a funnel: fewer at each level, the Visitors level a month's visitors", () => {
    const arrow = manArrow({ count: 40_000, from: "analytics" }, levels(900, 600, 200, 80));
    expect(arrow.levels).toEqual([
      { level: "visitor", count: 40_000 },
      { level: "enquirer", count: 900 },
      { level: "first-time-buyer", count: 600 },
      { level: "repeat-buyer", count: 200 },
      { level: "regular-buyer", count: 80 },
    ]);
    expect(arrow).toMatchObject({ visitorsFrom: "analytics", narrowing: true, inversions: [] });
  });

  it("names every level larger than the one below it (the demo shop: 123 enquirers, 671, 460, 1,493)", () => {
    const arrow = manArrow({ count: 135_973, from: "analytics" }, levels(123, 671, 460, 1_493));
    expect(arrow.narrowing).toBe(false);
    expect(arrow.inversions).toEqual([
      { level: "first-time-buyer", below: "enquirer", count: 671, belowCount: 123 },
      { level: "regular-buyer", below: "repeat-buyer", count: 1_493, belowCount: 460 },
    ]);
  });

  it("without visitor numbers the Visitors level is unknown and not compared", () => {
    const arrow = manArrow({ count: null, from: null }, levels(10, 5, 2, 1));
    expect(arrow.levels[0]).toEqual({ level: "visitor", count: null });
    expect(arrow).toMatchObject({ narrowing: true, visitorsFrom: null });
    // Sessions entered by the merchant: compared like visitors.
    expect(manArrow({ count: 5, from: "manual" }, levels(10, 5, 2, 1)).inversions).toEqual([
      { level: "enquirer", below: "visitor", count: 10, belowCount: 5 },
    ]);
  });
});

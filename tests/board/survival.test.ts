/**
 * The estimators behind the board's intervals, against values worked by hand and published ones.
 */
import { describe, expect, it } from "vitest";
import {
  countRatio,
  estimateHorizon,
  kaplanMeier,
  kaplanMeierAt,
  MIN_AT_RISK_AT_HORIZON,
  proportion,
  type LifeTableRow,
} from "../../app/board/survival";

/**
 * Freireich et al. (1963), the 6-MP arm of the leukaemia remission trial: weeks in remission, "+" censored. The
 * textbook Kaplan–Meier example (Kleinbaum & Klein, Survival Analysis, table 2.x; Klein & Moeschberger example
 * 4.2). Here a "conversion" is a relapse, so the share converted is 1 − S(t).
 */
const SIX_MP = "6 6 6 6+ 7 9+ 10 10+ 11+ 13 16 17+ 19+ 20+ 22 23 25+ 32+ 32+ 34+ 35+";

function lifeTable(text: string): LifeTableRow[] {
  const rows = new Map<number, LifeTableRow>();
  for (const token of text.split(/\s+/)) {
    const day = Number(token.replace("+", ""));
    const row = rows.get(day) ?? { day, events: 0, censored: 0 };
    if (token.endsWith("+")) row.censored++;
    else row.events++;
    rows.set(day, row);
  }
  return [...rows.values()];
}

/**
 * Worked by hand: at each relapse time the number still in remission (n, censored at t counted in), relapses (d),
 * S(t) = ∏ (1 − d/n) and Greenwood's sum Σ d/(n(n − d)). The published standard errors S·√Σ (Kleinbaum & Klein;
 * R's survfit) are 0.076, 0.087, 0.096, 0.107, 0.114, 0.128, 0.135.
 */
const HAND_WORKED = [
  { t: 6, n: 21, d: 3, s: 18 / 21, sum: 3 / (21 * 18), publishedSe: 0.076 },
  { t: 7, n: 17, d: 1, s: (18 / 21) * (16 / 17), sum: 3 / (21 * 18) + 1 / (17 * 16), publishedSe: 0.087 },
  { t: 10, n: 15, d: 1, s: (18 / 21) * (16 / 17) * (14 / 15), sum: 3 / 378 + 1 / 272 + 1 / 210, publishedSe: 0.096 },
  {
    t: 13,
    n: 12,
    d: 1,
    s: (18 / 21) * (16 / 17) * (14 / 15) * (11 / 12),
    sum: 3 / 378 + 1 / 272 + 1 / 210 + 1 / 132,
    publishedSe: 0.107,
  },
  {
    t: 16,
    n: 11,
    d: 1,
    s: (18 / 21) * (16 / 17) * (14 / 15) * (11 / 12) * (10 / 11),
    sum: 3 / 378 + 1 / 272 + 1 / 210 + 1 / 132 + 1 / 110,
    publishedSe: 0.114,
  },
  {
    t: 22,
    n: 7,
    d: 1,
    s: (18 / 21) * (16 / 17) * (14 / 15) * (11 / 12) * (10 / 11) * (6 / 7),
    sum: 3 / 378 + 1 / 272 + 1 / 210 + 1 / 132 + 1 / 110 + 1 / 42,
    publishedSe: 0.128,
  },
  {
    t: 23,
    n: 6,
    d: 1,
    s: (18 / 21) * (16 / 17) * (14 / 15) * (11 / 12) * (10 / 11) * (6 / 7) * (5 / 6),
    sum: 3 / 378 + 1 / 272 + 1 / 210 + 1 / 132 + 1 / 110 + 1 / 42 + 1 / 30,
    publishedSe: 0.135,
  },
];

describe("Kaplan–Meier with Greenwood's variance", () => {
  const rows = lifeTable(SIX_MP);

  it("reproduces the hand-worked table and the published standard errors of the 6-MP example", () => {
    for (const step of HAND_WORKED) {
      const estimate = kaplanMeierAt(rows, step.t);
      expect(estimate.rate, `t=${step.t}`).toBeCloseTo(1 - step.s, 12);
      expect(step.s * Math.sqrt(step.sum), `Greenwood SE at t=${step.t}`).toBeCloseTo(step.publishedSe, 3);
      expect(estimate.customers).toBe(21);
    }
    // Between relapse times the curve is flat: censored patients change who is at risk, not S.
    expect(kaplanMeierAt(rows, 9).rate).toBeCloseTo(1 - HAND_WORKED[1].s, 12);
    expect(kaplanMeierAt(rows, 35).rate).toBeCloseTo(1 - HAND_WORKED[6].s, 12);
  });

  it("gives the log-log interval (Kalbfleisch & Prentice; R's conf.type = 'log-log'), independently computed", () => {
    // R: survfit(Surv(time, status) ~ 1, conf.type = "log-log") on these data reads 0.857 (0.620, 0.952) at 6
    // weeks and 0.448 (0.188, 0.680) at 23 weeks.
    const published = { 6: [0.62, 0.952], 23: [0.188, 0.68] } as const;
    for (const step of HAND_WORKED) {
      const se = Math.sqrt(step.sum) / Math.abs(Math.log(step.s));
      const sLow = step.s ** Math.exp(1.959964 * se);
      const sHigh = step.s ** Math.exp(-1.959964 * se);
      const estimate = kaplanMeierAt(rows, step.t);
      expect(estimate.lower, `t=${step.t}`).toBeCloseTo(1 - sHigh, 6);
      expect(estimate.upper, `t=${step.t}`).toBeCloseTo(1 - sLow, 6);
      if (step.t in published) {
        const [low, high] = published[step.t as 6 | 23];
        expect(1 - estimate.upper).toBeCloseTo(low, 3);
        expect(1 - estimate.lower).toBeCloseTo(high, 3);
      }
    }
  });

  it("counts the conversions within the horizon and the patients followed the whole horizon", () => {
    const at16 = kaplanMeierAt(rows, 16);
    expect(at16.converted).toBe(3 + 1 + 1 + 1 + 1);
    // Followed 16 weeks or more: the relapse at 16 and everyone after it.
    expect(at16.atRiskAtHorizon).toBe(11);
    expect(at16.horizonDays).toBe(16);
  });

  it("ends a horizon shorter than the window where fewer than 10 are still followed (the tail is noise)", () => {
    expect(MIN_AT_RISK_AT_HORIZON).toBe(10);
    // Followed 17 weeks or more: 17+ 19+ 20+ 22 23 25+ 32+ 32+ 34+ 35+ = 10; 18 weeks or more: 9.
    expect(estimateHorizon(rows, 23)).toBe(17);
    const estimate = kaplanMeier(rows, 23)!;
    expect(estimate.horizonDays).toBe(17);
    expect(estimate.rate).toBeCloseTo(1 - HAND_WORKED[4].s, 12);
    // A window everyone reaches is kept whole.
    expect(kaplanMeier(rows, 5)!.horizonDays).toBe(5);
    expect(kaplanMeier(rows, 5)!.rate).toBe(0);
  });

  it("with fewer than 20 customers, the horizon is the longest follow-up half of them had", () => {
    // Followed 5 days or more: 5+ and 8+ (2 of 3); 6 days or more: 1.
    expect(estimateHorizon(lifeTable("3 5+ 8+"), 30)).toBe(5);
    expect(estimateHorizon(lifeTable("3 5+ 8+"), 4)).toBe(4);
    expect(estimateHorizon([], 30)).toBeNull();
    expect(kaplanMeier([], 30)).toBeNull();
  });

  it("nobody converted: 0% with the exact binomial bound for the customers followed the whole horizon", () => {
    // 40 followed 90 days, 10 for less: 0 of 40 → upper 1 − 0.025^(1/40) (Clopper–Pearson one-sided 97.5%).
    const estimate = kaplanMeier(
      [
        { day: 30, events: 0, censored: 10 },
        { day: 90, events: 0, censored: 40 },
      ],
      90,
    )!;
    expect(estimate).toMatchObject({
      rate: 0,
      lower: 0,
      converted: 0,
      customers: 50,
      horizonDays: 90,
      atRiskAtHorizon: 40,
    });
    expect(estimate.upper).toBeCloseTo(0.0881, 4);
  });

  it("everyone still at risk converted on one day: 100% with the exact lower bound for them", () => {
    const estimate = kaplanMeierAt([{ day: 0, events: 20, censored: 0 }], 365);
    expect(estimate).toMatchObject({ rate: 1, upper: 1, converted: 20 });
    expect(estimate.lower).toBeCloseTo(0.025 ** (1 / 20), 12);
  });

  it("refuses a table it cannot read", () => {
    expect(() => kaplanMeierAt([{ day: 1.5, events: 1, censored: 0 }], 10)).toThrow(RangeError);
    expect(() => kaplanMeierAt([{ day: 1, events: -1, censored: 0 }], 10)).toThrow(RangeError);
  });
});

describe("Wilson's score interval (Stage 2)", () => {
  it("matches Newcombe (1998), table II, method 3", () => {
    // Newcombe RG, Two-sided confidence intervals for the single proportion, Stat Med 17:857–872.
    const cases = [
      { x: 81, n: 263, low: 0.2553, high: 0.3662 },
      { x: 15, n: 148, low: 0.0624, high: 0.1605 },
      { x: 0, n: 20, low: 0, high: 0.1611 },
      { x: 1, n: 29, low: 0.0061, high: 0.1718 },
    ];
    for (const c of cases) {
      const estimate = proportion(c.x, c.n, 30)!;
      expect(estimate.rate).toBeCloseTo(c.x / c.n, 12);
      expect(estimate.lower, `${c.x}/${c.n}`).toBeCloseTo(c.low, 4);
      expect(estimate.upper, `${c.x}/${c.n}`).toBeCloseTo(c.high, 4);
    }
  });

  it("has no estimate without a base", () => {
    expect(proportion(3, 0, 30)).toBeNull();
  });
});

describe("a ratio of two counts (Stage 1's visitor trend)", () => {
  it("log-scale interval with se √(1/a + 1/b), worked by hand", () => {
    // 1,210 against 1,000: ratio 1.21, se = √(1/1210 + 1/1000) = 0.042737, factor e^(1.96·se) = 1.087371.
    const estimate = countRatio(1210, 1000, 90)!;
    expect(estimate.rate).toBeCloseTo(1.21, 12);
    expect(estimate.lower).toBeCloseTo(1.21 / 1.087371, 5);
    expect(estimate.upper).toBeCloseTo(1.21 * 1.087371, 5);
    expect(countRatio(0, 10, 90)).toBeNull();
  });
});

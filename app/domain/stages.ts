/**
 * The five stages of the Customer MasterPlan, the single definition the board, the campaigns and the weakest-stage
 * call all use. A level is where a customer is (the model's stages visitor … regular-buyer, plus "the world" before
 * anyone is known); a stage is the move between two consecutive levels, and marketing is what makes that move
 * happen. Lapsed and returned customers are states, not levels: winning them back is Stage 4's work.
 */
import type { Stage } from "../lifecycle";

export const LEVELS = ["world", "visitor", "enquirer", "first-time-buyer", "repeat-buyer", "regular-buyer"] as const;
export type Level = (typeof LEVELS)[number];
/** Levels that hold customers (the model's stage of the same name). */
export type CustomerLevel = Exclude<Level, "world">;
export const CUSTOMER_LEVELS: readonly CustomerLevel[] = [
  "visitor",
  "enquirer",
  "first-time-buyer",
  "repeat-buyer",
  "regular-buyer",
];

export const STAGE_NUMBERS = [1, 2, 3, 4, 5] as const;
export type StageNumber = (typeof STAGE_NUMBERS)[number];

/** Stage 1's three kinds of marketing (World → Visitors). */
export const STAGE_ONE_KINDS = ["shine-a-light", "target-customers", "get-found"] as const;
export type StageOneKind = (typeof STAGE_ONE_KINDS)[number];

/** Message keys of the ideas offered for an empty or weak stage (texts in app/i18n/messages.ts). */
export const IDEA_KEYS = [
  "idea.s1.press",
  "idea.s1.social",
  "idea.s1.targetedAds",
  "idea.s1.partners",
  "idea.s1.seo",
  "idea.s1.shopping",
  "idea.s2.signupOffer",
  "idea.s2.leadMagnet",
  "idea.s2.giveaway",
  "idea.s3.welcomeSeries",
  "idea.s3.abandonedBasket",
  "idea.s3.remarketing",
  "idea.s3.firstOrderOffer",
  "idea.s4.postPurchase",
  "idea.s4.surprise",
  "idea.s4.community",
  "idea.s4.reviewRequest",
  "idea.s4.winback",
  "idea.s5.loyalty",
  "idea.s5.earlyAccess",
  "idea.s5.replenishment",
  "idea.s5.thankYou",
] as const;
export type IdeaKey = (typeof IDEA_KEYS)[number];

export interface StageDefinition {
  number: StageNumber;
  source: Level;
  target: CustomerLevel;
  /** Customers in these model states are also this stage's audience (win-back belongs to Stage 4). */
  alsoFrom: readonly Stage[];
  /** Stage 1 only: the three kinds of reaching the world. */
  kinds: readonly StageOneKind[];
  ideas: readonly IdeaKey[];
}

export const STAGE_DEFINITIONS: readonly StageDefinition[] = [
  {
    number: 1,
    source: "world",
    target: "visitor",
    alsoFrom: [],
    kinds: STAGE_ONE_KINDS,
    ideas: [
      "idea.s1.press",
      "idea.s1.social",
      "idea.s1.targetedAds",
      "idea.s1.partners",
      "idea.s1.seo",
      "idea.s1.shopping",
    ],
  },
  {
    number: 2,
    source: "visitor",
    target: "enquirer",
    alsoFrom: [],
    kinds: [],
    ideas: ["idea.s2.signupOffer", "idea.s2.leadMagnet", "idea.s2.giveaway"],
  },
  {
    number: 3,
    source: "enquirer",
    target: "first-time-buyer",
    alsoFrom: [],
    kinds: [],
    ideas: ["idea.s3.welcomeSeries", "idea.s3.abandonedBasket", "idea.s3.remarketing", "idea.s3.firstOrderOffer"],
  },
  {
    number: 4,
    source: "first-time-buyer",
    target: "repeat-buyer",
    alsoFrom: ["lapsed", "returned"],
    kinds: [],
    ideas: [
      "idea.s4.postPurchase",
      "idea.s4.surprise",
      "idea.s4.community",
      "idea.s4.reviewRequest",
      "idea.s4.winback",
    ],
  },
  {
    number: 5,
    source: "repeat-buyer",
    target: "regular-buyer",
    alsoFrom: [],
    kinds: [],
    ideas: ["idea.s5.loyalty", "idea.s5.earlyAccess", "idea.s5.replenishment", "idea.s5.thankYou"],
  },
];

export function stageDefinition(number: StageNumber): StageDefinition {
  return STAGE_DEFINITIONS[number - 1];
}

export function isStageNumber(value: unknown): value is StageNumber {
  return typeof value === "number" && (STAGE_NUMBERS as readonly number[]).includes(value);
}

export function isStageOneKind(value: unknown): value is StageOneKind {
  return typeof value === "string" && (STAGE_ONE_KINDS as readonly string[]).includes(value);
}

/**
 * The stage whose marketing moves customers out of a model state: a customer at a level is the audience of the stage
 * that starts there. Regular buyers have no level above; keeping them regular is still Stage 5's work. Lapsed and
 * returned customers are won back (again) to repeat buying: Stage 4.
 */
export const STAGE_FOR_AUDIENCE: Readonly<Record<Stage, StageNumber>> = {
  visitor: 2,
  enquirer: 3,
  "first-time-buyer": 4,
  "repeat-buyer": 5,
  "regular-buyer": 5,
  lapsed: 4,
  returned: 4,
};

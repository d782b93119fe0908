/**
 * Fast path for large batches: customers as slices of one Float64Array of sorted qualifying times, results in typed
 * arrays. It runs the same `evaluate` as `classifyTimes` (only the explanation is left out), reusing one result object
 * so a million customers cost no per-customer allocation.
 */
import { evaluate, isSubscribed, newEvaluation } from "./rules";
import type { LifecycleSettings } from "./settings";
import { ShopStatsAccumulator } from "./stats";
import { EMAIL_MARKETING_STATES, STAGES } from "./types";
import type { ShopStats, Stage } from "./types";

export interface FlatCustomerTimes {
  /** Customer i owns times[offsets[i] .. offsets[i + 1]); length = customers + 1. */
  offsets: ArrayLike<number>;
  /** Each customer's qualifying order times, sorted ascending within the customer. */
  times: ArrayLike<number>;
  /** Index into EMAIL_MARKETING_STATES per customer; omitted means NOT_SUBSCRIBED for everyone. */
  emailStates?: ArrayLike<number>;
}

export interface BatchClassification {
  /** Index into STAGES. */
  stage: Uint8Array;
  /** 90, 180, 360, or 0 for none. */
  winbackTier: Uint16Array;
  /** Epoch ms, NaN for none. */
  nextTransitionAt: Float64Array;
  lapseThresholdDays: Float64Array;
  /** 1 when a change of Q could change the result (see Classification.usesShopThreshold). */
  usesShopThreshold: Uint8Array;
}

export const STAGE_INDEX: Readonly<Record<Stage, number>> = Object.fromEntries(
  STAGES.map((stage, i) => [stage, i]),
) as Record<Stage, number>;

export function customerCount(input: FlatCustomerTimes): number {
  return Math.max(0, input.offsets.length - 1);
}

export function computeShopStatsFlat(input: FlatCustomerTimes, settings: LifecycleSettings, now: number): ShopStats {
  const count = customerCount(input);
  const accumulator = new ShopStatsAccumulator(settings, now, Math.max(16, input.times.length - count));
  for (let i = 0; i < count; i++) accumulator.add(input.times, input.offsets[i], input.offsets[i + 1]);
  return accumulator.result();
}

export function classifyBatch(
  input: FlatCustomerTimes,
  stats: ShopStats,
  settings: LifecycleSettings,
  now: number,
): BatchClassification {
  const count = customerCount(input);
  const result: BatchClassification = {
    stage: new Uint8Array(count),
    winbackTier: new Uint16Array(count),
    nextTransitionAt: new Float64Array(count),
    lapseThresholdDays: new Float64Array(count),
    usesShopThreshold: new Uint8Array(count),
  };
  const subscribedByCode = EMAIL_MARKETING_STATES.map(isSubscribed);
  const { offsets, times, emailStates } = input;
  const ev = newEvaluation();
  for (let i = 0; i < count; i++) {
    const subscribed = emailStates ? subscribedByCode[emailStates[i]] === true : false;
    evaluate(times, offsets[i], offsets[i + 1], subscribed, stats, settings, now, ev);
    result.stage[i] = STAGE_INDEX[ev.stage];
    result.winbackTier[i] = ev.winbackTier ?? 0;
    result.nextTransitionAt[i] = ev.nextTransitionAt;
    result.lapseThresholdDays[i] = ev.lapseThresholdDays;
    result.usesShopThreshold[i] = ev.usesShopThreshold ? 1 : 0;
  }
  return result;
}

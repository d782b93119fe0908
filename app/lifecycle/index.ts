/**
 * Public API of the pure lifecycle model (issue 3). Pure: no clock, no I/O, no Prisma or Shopify; callers pass `now`.
 * CLV/BG-NBD lives separately in ./clv.
 */
export { EMAIL_MARKETING_STATES, STAGES, WINBACK_TIERS } from "./types";
export type {
  Classification,
  CustomerFacts,
  EmailMarketingState,
  Explanation,
  ExplanationKey,
  ExplanationPart,
  OrderFacts,
  ShopStats,
  Stage,
  ThresholdSource,
  WinbackTier,
} from "./types";
export {
  DEFAULT_LIFECYCLE_SETTINGS,
  InvalidSettingsError,
  MAX_SETTING_DAYS,
  SETTING_RANGES,
  TAG_PREFIX_MAX_LENGTH,
  TIER_FIELDS,
  checkLifecycleSettings,
  describeSettingsProblem,
  readStoredSettings,
  tagPrefixProblem,
  validateLifecycleSettings,
} from "./settings";
export type {
  LapseMode,
  LifecycleSettings,
  NumberSetting,
  SettingField,
  SettingRange,
  SettingsAdjustment,
  SettingsCheck,
  SettingsMessage,
  SettingsMessageKey,
  SettingsProblem,
  StoredSettings,
  TierField,
} from "./settings";
export { DAY_MS, daysBetween, isQualifyingOrder } from "./rules";
export { ShopStatsAccumulator, computeShopStats } from "./stats";
export { regularRuleOf, summarizeOrders, type OrderSummary } from "./order-summary";
export { classifyCustomer, classifyTimes, needsReevaluation, qualifyingOrderTimes } from "./classify";
export { STAGE_INDEX, classifyBatch, computeShopStatsFlat, customerCount } from "./batch";
export type { BatchClassification, FlatCustomerTimes } from "./batch";
export {
  HIGH_VALUE_TAG,
  SHOPIFY_MAX_TAGS_PER_CUSTOMER,
  SHOPIFY_TAG_MAX_LENGTH,
  appTagsFor,
  applyTagPlan,
  planTagChange,
} from "./tags";
export type { TagPlan } from "./tags";

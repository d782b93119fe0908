/**
 * Customer lifetime value models (pure): MBG/NBD (the app's) and BG/NBD purchase counts, Gamma-Gamma spend, the
 * shared maximum-likelihood fitter, predicted 12-month value and the data-sufficiency gate.
 */
export {
  bgnbdIndividualLogLikelihood,
  bgnbdLogLikelihood,
  bgnbdObservationProblem,
  conditionalExpectedPurchases,
  expectedPurchases,
  fitBgNbd,
  probabilityAlive,
  type BgNbdData,
  type BgNbdFit,
  type BgNbdParams,
  type FitDiagnostics,
  type ModelFitOptions,
} from "./bgnbd";
export {
  fitMbgNbd,
  mbgnbdConditionalExpectedPurchases,
  mbgnbdExpectedPurchases,
  mbgnbdIndividualLogLikelihood,
  mbgnbdLogLikelihood,
  mbgnbdProbabilityAlive,
  RIDGE_DROPOUT_CHANCE,
  type MbgNbdFit,
  type MbgNbdParams,
} from "./mbgnbd";
export { fitMaximumLikelihood, type MaximumLikelihoodFit, type MaximumLikelihoodProblem } from "./fit";
export {
  conditionalExpectedSpend,
  fitGammaGamma,
  gammaGammaIndividualLogLikelihood,
  gammaGammaLogLikelihood,
  type GammaGammaData,
  type GammaGammaFit,
  type GammaGammaParams,
} from "./gammaGamma";
export { assessFitability, type Fitability, type FitabilityCode, type FitabilityOptions } from "./fitability";
export { hyp2f1, Hyp2f1Error, lgamma, logAddExp, type Hyp2f1Options } from "./special";
export { simulateCustomers, createRng, type SimulatedData, type SimulationOptions } from "./simulate";
export {
  buildSummary,
  purchaseDaysOf,
  summaryOfPurchaseDays,
  utcDayIndex,
  type CustomerSummary,
  type CustomerSummaryRow,
  type Purchase,
  type PurchaseDays,
} from "./summary";
export {
  predictCustomerValue,
  predictPurchases,
  valueOfPurchases,
  type PurchasePrediction,
  MAX_HORIZON_WEEKS,
  WEEKS_PER_MONTH,
  WEEKS_PER_YEAR,
  type CustomerPrediction,
  type PurchaseModel,
  type ValueOptions,
} from "./value";

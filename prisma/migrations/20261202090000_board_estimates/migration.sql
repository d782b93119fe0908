-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "reclassifyRequestedAt" DATETIME;
ALTER TABLE "Shop" ADD COLUMN "settingsAppliedAt" DATETIME;

-- AlterTable
ALTER TABLE "StageConversion" ADD COLUMN "atRiskAtHorizon" INTEGER;
ALTER TABLE "StageConversion" ADD COLUMN "horizonDays" INTEGER;
ALTER TABLE "StageConversion" ADD COLUMN "rate" REAL;
ALTER TABLE "StageConversion" ADD COLUMN "rateLower" REAL;
ALTER TABLE "StageConversion" ADD COLUMN "rateUpper" REAL;


-- Measures stored before the estimate columns have no interval: forget them, the next board or daily run measures again.
DELETE FROM "StageConversion";

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "reclassifyRequestedAt" TIMESTAMP(3),
ADD COLUMN     "settingsAppliedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "StageConversion" ADD COLUMN     "atRiskAtHorizon" INTEGER,
ADD COLUMN     "horizonDays" INTEGER,
ADD COLUMN     "rate" DOUBLE PRECISION,
ADD COLUMN     "rateLower" DOUBLE PRECISION,
ADD COLUMN     "rateUpper" DOUBLE PRECISION;

-- Measures stored before the estimate columns have no interval: forget them, the next board or daily run measures again.
DELETE FROM "StageConversion";

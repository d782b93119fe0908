-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "errorKind" TEXT,
ADD COLUMN     "failedAt" TIMESTAMP(3),
ADD COLUMN     "key" TEXT,
ADD COLUMN     "maxAttempts" INTEGER NOT NULL DEFAULT 5;

-- CreateIndex
CREATE INDEX "Job_shop_failedAt_idx" ON "Job"("shop", "failedAt");

-- Jobs queued before this migration keep their key for Retry, and those the old runner gave up on (done with an
-- error after the attempt limit) become parked, so the merchant sees them.
UPDATE "Job" SET "key" = "singletonKey" WHERE "singletonKey" IS NOT NULL;
UPDATE "Job" SET "failedAt" = "doneAt", "doneAt" = NULL WHERE "doneAt" IS NOT NULL AND "lastError" IS NOT NULL AND "attempts" >= 5;

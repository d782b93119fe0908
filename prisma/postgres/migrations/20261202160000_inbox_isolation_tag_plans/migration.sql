-- DropIndex
DROP INDEX "WebhookDelivery_processedAt_id_idx";

-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "desiredAppTags" TEXT,
ADD COLUMN     "tagWriteAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "tagWriteDueAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "nextAttemptAt" TIMESTAMP(3),
ADD COLUMN     "parkedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "TagBulkWrite" (
    "shop" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "operationId" TEXT NOT NULL,
    "edits" TEXT NOT NULL,
    "failures" TEXT NOT NULL DEFAULT '{}',
    "startedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TagBulkWrite_pkey" PRIMARY KEY ("shop")
);

-- CreateIndex
CREATE INDEX "Customer_shop_tagWriteDueAt_idx" ON "Customer"("shop", "tagWriteDueAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_shop_processedAt_id_idx" ON "WebhookDelivery"("shop", "processedAt", "id");

-- CreateIndex
CREATE INDEX "WebhookDelivery_processedAt_shop_idx" ON "WebhookDelivery"("processedAt", "shop");



-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "shopifyWorkDueAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Shop_shopifyWorkDueAt_idx" ON "Shop"("shopifyWorkDueAt");

-- CreateIndex
CREATE INDEX "StageChange_shop_flowStatus_id_idx" ON "StageChange"("shop", "flowStatus", "id");

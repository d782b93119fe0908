-- DropIndex
DROP INDEX "WebhookDelivery_processedAt_id_idx";

-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "desiredAppTags" TEXT;
ALTER TABLE "Customer" ADD COLUMN "tagWriteDueAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "tagWriteAttempts" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN "nextAttemptAt" DATETIME;
ALTER TABLE "WebhookDelivery" ADD COLUMN "parkedAt" DATETIME;

-- CreateTable
CREATE TABLE "TagBulkWrite" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "phase" TEXT NOT NULL,
    "operationId" TEXT NOT NULL,
    "edits" TEXT NOT NULL,
    "failures" TEXT NOT NULL DEFAULT '{}',
    "startedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "Customer_shop_tagWriteDueAt_idx" ON "Customer"("shop", "tagWriteDueAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_shop_processedAt_id_idx" ON "WebhookDelivery"("shop", "processedAt", "id");

-- CreateIndex
CREATE INDEX "WebhookDelivery_processedAt_shop_idx" ON "WebhookDelivery"("processedAt", "shop");

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "shopifyWorkDueAt" DATETIME;

-- CreateIndex
CREATE INDEX "Shop_shopifyWorkDueAt_idx" ON "Shop"("shopifyWorkDueAt");

-- CreateIndex
CREATE INDEX "StageChange_shop_flowStatus_id_idx" ON "StageChange"("shop", "flowStatus", "id");

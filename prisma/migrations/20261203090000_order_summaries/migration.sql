-- Order summaries on the customer (app/lifecycle/order-summary.ts). Existing customers start without one
-- (summarizedAt NULL): the first pass that reads them computes it from their orders.
ALTER TABLE "Customer" ADD COLUMN "summarizedAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "firstOrderAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "secondOrderAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "regularAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "regularRule" TEXT;
ALTER TABLE "Customer" ADD COLUMN "nextOrderAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "orderGapsMs" TEXT NOT NULL DEFAULT '[]';
ALTER TABLE "Customer" ADD COLUMN "purchaseDays" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Customer" ADD COLUMN "firstPurchaseDay" INTEGER;
ALTER TABLE "Customer" ADD COLUMN "lastPurchaseDay" INTEGER;
ALTER TABLE "Customer" ADD COLUMN "repeatSpendMinor" BIGINT NOT NULL DEFAULT 0;

-- Whole-shop passes page through a shop's customers by id (WHERE shop = ? AND id > ? ORDER BY id LIMIT n). Without
-- this index each page read every customer of the shop through another (shop, …) index and sorted them.
CREATE INDEX "Customer_shop_id_idx" ON "Customer"("shop", "id");

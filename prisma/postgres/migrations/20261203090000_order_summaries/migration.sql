-- Order summaries on the customer (app/lifecycle/order-summary.ts). Existing customers start without one
-- (summarizedAt NULL): the first pass that reads them computes it from their orders.
ALTER TABLE "Customer" ADD COLUMN     "summarizedAt" TIMESTAMP(3),
ADD COLUMN     "firstOrderAt" TIMESTAMP(3),
ADD COLUMN     "secondOrderAt" TIMESTAMP(3),
ADD COLUMN     "regularAt" TIMESTAMP(3),
ADD COLUMN     "regularRule" TEXT,
ADD COLUMN     "nextOrderAt" TIMESTAMP(3),
ADD COLUMN     "orderGapsMs" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "purchaseDays" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "firstPurchaseDay" INTEGER,
ADD COLUMN     "lastPurchaseDay" INTEGER,
ADD COLUMN     "repeatSpendMinor" BIGINT NOT NULL DEFAULT 0;

-- Whole-shop passes page through a shop's customers by id (WHERE shop = ? AND id > ? ORDER BY id LIMIT n). Without
-- this index each page read every customer of the shop through another (shop, …) index and sorted them.
CREATE INDEX "Customer_shop_id_idx" ON "Customer"("shop", "id");

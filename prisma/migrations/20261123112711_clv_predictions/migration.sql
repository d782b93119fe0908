-- CreateTable
CREATE TABLE "ShopPrediction" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "fittedAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL,
    "code" TEXT,
    "reason" TEXT,
    "params" TEXT NOT NULL DEFAULT '{}',
    "buyers" INTEGER NOT NULL,
    "repeatBuyers" INTEGER NOT NULL DEFAULT 0,
    "historyDays" REAL NOT NULL,
    "levels" TEXT NOT NULL DEFAULT '{}'
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Customer" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "shopifyCreatedAt" DATETIME,
    "shopifyUpdatedAt" DATETIME,
    "emailMarketingState" TEXT NOT NULL DEFAULT 'NOT_SUBSCRIBED',
    "consentUpdatedAt" DATETIME,
    "tags" TEXT NOT NULL DEFAULT '[]',
    "stage" TEXT,
    "winbackTier" INTEGER,
    "nextTransitionAt" DATETIME,
    "stageSince" DATETIME,
    "lapseThresholdDays" REAL,
    "usesShopThreshold" BOOLEAN NOT NULL DEFAULT false,
    "qualifyingOrders" INTEGER NOT NULL DEFAULT 0,
    "lastOrderAt" DATETIME,
    "netSpentMinor" BIGINT NOT NULL DEFAULT 0,
    "explanation" TEXT,
    "appTagsWritten" TEXT,
    "tagError" TEXT,
    "classifiedAt" DATETIME,
    "deletedAt" DATETIME,
    "predictedValueMinor" BIGINT,
    "probabilityAlive" REAL,
    "highValue" BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO "new_Customer" ("appTagsWritten", "classifiedAt", "consentUpdatedAt", "deletedAt", "emailMarketingState", "explanation", "gid", "id", "lapseThresholdDays", "lastOrderAt", "netSpentMinor", "nextTransitionAt", "qualifyingOrders", "shop", "shopifyCreatedAt", "shopifyUpdatedAt", "stage", "stageSince", "tagError", "tags", "usesShopThreshold", "winbackTier") SELECT "appTagsWritten", "classifiedAt", "consentUpdatedAt", "deletedAt", "emailMarketingState", "explanation", "gid", "id", "lapseThresholdDays", "lastOrderAt", "netSpentMinor", "nextTransitionAt", "qualifyingOrders", "shop", "shopifyCreatedAt", "shopifyUpdatedAt", "stage", "stageSince", "tagError", "tags", "usesShopThreshold", "winbackTier" FROM "Customer";
DROP TABLE "Customer";
ALTER TABLE "new_Customer" RENAME TO "Customer";
CREATE INDEX "Customer_shop_stage_idx" ON "Customer"("shop", "stage");
CREATE INDEX "Customer_shop_nextTransitionAt_idx" ON "Customer"("shop", "nextTransitionAt");
CREATE INDEX "Customer_shop_usesShopThreshold_idx" ON "Customer"("shop", "usesShopThreshold");
CREATE INDEX "Customer_shop_predictedValueMinor_id_idx" ON "Customer"("shop", "predictedValueMinor", "id");
CREATE INDEX "Customer_shop_stage_predictedValueMinor_id_idx" ON "Customer"("shop", "stage", "predictedValueMinor", "id");
CREATE UNIQUE INDEX "Customer_shop_gid_key" ON "Customer"("shop", "gid");
CREATE TABLE "new_Shop" (
    "domain" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT,
    "currencyCode" TEXT,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "settings" TEXT,
    "flowEnabled" BOOLEAN NOT NULL DEFAULT true,
    "flowOnBackfill" BOOLEAN NOT NULL DEFAULT false,
    "gapThresholdDays" REAL,
    "gapCount" INTEGER,
    "statsComputedAt" DATETIME,
    "lastDailyRunAt" DATETIME,
    "segmentsPrefix" TEXT,
    "monthlySessions" INTEGER,
    "highValueTag" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Shop" ("currencyCode", "domain", "flowEnabled", "flowOnBackfill", "gapCount", "gapThresholdDays", "installedAt", "lastDailyRunAt", "monthlySessions", "name", "segmentsPrefix", "settings", "statsComputedAt", "uninstalledAt", "updatedAt") SELECT "currencyCode", "domain", "flowEnabled", "flowOnBackfill", "gapCount", "gapThresholdDays", "installedAt", "lastDailyRunAt", "monthlySessions", "name", "segmentsPrefix", "settings", "statsComputedAt", "uninstalledAt", "updatedAt" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


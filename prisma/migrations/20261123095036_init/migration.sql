-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" DATETIME,
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" DATETIME
);

-- CreateTable
CREATE TABLE "Shop" (
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
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Customer" (
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
    "deletedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Order" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "gid" TEXT NOT NULL,
    "customerGid" TEXT,
    "createdAt" DATETIME NOT NULL,
    "totalMinor" BIGINT NOT NULL,
    "refundedMinor" BIGINT NOT NULL DEFAULT 0,
    "currencyCode" TEXT,
    "cancelled" BOOLEAN NOT NULL DEFAULT false,
    "test" BOOLEAN NOT NULL DEFAULT false,
    "voided" BOOLEAN NOT NULL DEFAULT false,
    "fullyRefunded" BOOLEAN NOT NULL DEFAULT false,
    "shopifyUpdatedAt" DATETIME,
    "deletedAt" DATETIME
);

-- CreateTable
CREATE TABLE "StageChange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerGid" TEXT NOT NULL,
    "fromStage" TEXT,
    "toStage" TEXT NOT NULL,
    "winbackTier" INTEGER,
    "at" DATETIME NOT NULL,
    "cause" TEXT NOT NULL,
    "flowStatus" TEXT NOT NULL DEFAULT 'none'
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "webhookId" TEXT,
    "apiVersion" TEXT,
    "triggeredAt" DATETIME,
    "payload" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT
);

-- CreateTable
CREATE TABLE "Job" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT,
    "name" TEXT NOT NULL,
    "data" TEXT NOT NULL DEFAULT '{}',
    "singletonKey" TEXT,
    "runAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedAt" DATETIME,
    "lockedBy" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "doneAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "bulkOperationId" TEXT,
    "resultUrl" TEXT,
    "linesDone" INTEGER NOT NULL DEFAULT 0,
    "linesTotal" INTEGER,
    "customersTotal" INTEGER,
    "customersDone" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "StageCount" (
    "shop" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "customers" INTEGER NOT NULL DEFAULT 0,
    "netSpentMinor" BIGINT NOT NULL DEFAULT 0,

    PRIMARY KEY ("shop", "stage")
);

-- CreateTable
CREATE TABLE "ShopSegment" (
    "shop" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "segmentGid" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,

    PRIMARY KEY ("shop", "stage")
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "externalId" TEXT,
    "name" TEXT NOT NULL,
    "stage" INTEGER NOT NULL,
    "stageOneKind" TEXT,
    "channel" TEXT,
    "status" TEXT,
    "tactic" TEXT,
    "startsAt" DATETIME,
    "endsAt" DATETIME,
    "stageOverridden" BOOLEAN NOT NULL DEFAULT false,
    "refreshedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "DataRequestExport" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerGid" TEXT NOT NULL,
    "requestId" TEXT,
    "data" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE INDEX "Customer_shop_stage_idx" ON "Customer"("shop", "stage");

-- CreateIndex
CREATE INDEX "Customer_shop_nextTransitionAt_idx" ON "Customer"("shop", "nextTransitionAt");

-- CreateIndex
CREATE INDEX "Customer_shop_usesShopThreshold_idx" ON "Customer"("shop", "usesShopThreshold");

-- CreateIndex
CREATE UNIQUE INDEX "Customer_shop_gid_key" ON "Customer"("shop", "gid");

-- CreateIndex
CREATE INDEX "Order_shop_customerGid_createdAt_idx" ON "Order"("shop", "customerGid", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Order_shop_gid_key" ON "Order"("shop", "gid");

-- CreateIndex
CREATE INDEX "StageChange_shop_at_idx" ON "StageChange"("shop", "at");

-- CreateIndex
CREATE INDEX "StageChange_shop_customerGid_idx" ON "StageChange"("shop", "customerGid");

-- CreateIndex
CREATE INDEX "WebhookDelivery_processedAt_id_idx" ON "WebhookDelivery"("processedAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_shop_eventId_key" ON "WebhookDelivery"("shop", "eventId");

-- CreateIndex
CREATE INDEX "Job_doneAt_runAt_idx" ON "Job"("doneAt", "runAt");

-- CreateIndex
CREATE UNIQUE INDEX "Job_singletonKey_key" ON "Job"("singletonKey");

-- CreateIndex
CREATE INDEX "SyncRun_shop_startedAt_idx" ON "SyncRun"("shop", "startedAt");

-- CreateIndex
CREATE INDEX "Campaign_shop_stage_idx" ON "Campaign"("shop", "stage");

-- CreateIndex
CREATE UNIQUE INDEX "Campaign_shop_source_externalId_key" ON "Campaign"("shop", "source", "externalId");

-- CreateIndex
CREATE INDEX "DataRequestExport_shop_idx" ON "DataRequestExport"("shop");

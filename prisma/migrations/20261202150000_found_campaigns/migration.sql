-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "campaignActiveDays" INTEGER;
ALTER TABLE "Shop" ADD COLUMN "campaignsRefreshedAt" DATETIME;

-- CreateTable
CREATE TABLE "OrderJourney" (
    "shop" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "customerOrderIndex" INTEGER,
    "firstUtmSource" TEXT,
    "firstUtmMedium" TEXT,
    "firstUtmCampaign" TEXT,
    "lastUtmSource" TEXT,
    "lastUtmMedium" TEXT,
    "lastUtmCampaign" TEXT,
    "eventGid" TEXT,
    "eventTactic" TEXT,
    "eventChannel" TEXT,
    "eventName" TEXT,
    "discountCodes" TEXT,
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "readAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "orderGid")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Campaign" (
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
    "refreshedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "hidden" BOOLEAN NOT NULL DEFAULT false,
    "confirmedAt" DATETIME,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenueMinor" BIGINT NOT NULL DEFAULT 0,
    "lastOrderAt" DATETIME,
    "stageFigures" TEXT,
    "simulated" BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO "new_Campaign" ("channel", "endsAt", "externalId", "id", "name", "refreshedAt", "shop", "source", "stage", "stageOneKind", "stageOverridden", "startsAt", "status", "tactic") SELECT "channel", "endsAt", "externalId", "id", "name", "refreshedAt", "shop", "source", "stage", "stageOneKind", "stageOverridden", "startsAt", "status", "tactic" FROM "Campaign";
DROP TABLE "Campaign";
ALTER TABLE "new_Campaign" RENAME TO "Campaign";
CREATE INDEX "Campaign_shop_stage_idx" ON "Campaign"("shop", "stage");
CREATE UNIQUE INDEX "Campaign_shop_source_externalId_key" ON "Campaign"("shop", "source", "externalId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "OrderJourney_shop_state_nextAttemptAt_idx" ON "OrderJourney"("shop", "state", "nextAttemptAt");

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "confirmedAt" TIMESTAMP(3),
ADD COLUMN     "hidden" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "lastOrderAt" TIMESTAMP(3),
ADD COLUMN     "orders" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "revenueMinor" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "simulated" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "stageFigures" TEXT;

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "campaignActiveDays" INTEGER,
ADD COLUMN     "campaignsRefreshedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "OrderJourney" (
    "shop" TEXT NOT NULL,
    "orderGid" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
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
    "readAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OrderJourney_pkey" PRIMARY KEY ("shop","orderGid")
);

-- CreateIndex
CREATE INDEX "OrderJourney_shop_state_nextAttemptAt_idx" ON "OrderJourney"("shop", "state", "nextAttemptAt");

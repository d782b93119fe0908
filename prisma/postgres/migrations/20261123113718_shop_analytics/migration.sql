-- CreateTable
CREATE TABLE "ShopAnalytics" (
    "shop" TEXT NOT NULL,
    "fetchedAt" TIMESTAMP(3) NOT NULL,
    "sessionsError" TEXT,
    "trafficError" TEXT,
    "salesError" TEXT,
    "firstVisitError" TEXT,
    "warnings" TEXT,
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "trafficKindRules" TEXT,

    CONSTRAINT "ShopAnalytics_pkey" PRIMARY KEY ("shop")
);

-- CreateTable
CREATE TABLE "ShopAnalyticsMonth" (
    "shop" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "visitors" INTEGER,
    "sessions" INTEGER,
    "subscribers" INTEGER,
    "netSalesMinor" BIGINT,
    "grossProfitMinor" BIGINT,
    "costRecordedSalesMinor" BIGINT,

    CONSTRAINT "ShopAnalyticsMonth_pkey" PRIMARY KEY ("shop","month")
);

-- CreateTable
CREATE TABLE "ShopTrafficMonth" (
    "shop" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "visitors" INTEGER NOT NULL,
    "sessions" INTEGER NOT NULL,

    CONSTRAINT "ShopTrafficMonth_pkey" PRIMARY KEY ("shop","month","source","name")
);

-- CreateTable
CREATE TABLE "ShopFirstVisitSales" (
    "shop" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "netSalesMinor" BIGINT,
    "grossProfitMinor" BIGINT,

    CONSTRAINT "ShopFirstVisitSales_pkey" PRIMARY KEY ("shop","channel")
);


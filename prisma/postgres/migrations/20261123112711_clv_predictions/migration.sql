-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "highValue" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "predictedValueMinor" BIGINT,
ADD COLUMN     "probabilityAlive" DOUBLE PRECISION;

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "highValueTag" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "ShopPrediction" (
    "shop" TEXT NOT NULL,
    "fittedAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL,
    "code" TEXT,
    "reason" TEXT,
    "params" TEXT NOT NULL DEFAULT '{}',
    "buyers" INTEGER NOT NULL,
    "repeatBuyers" INTEGER NOT NULL DEFAULT 0,
    "historyDays" DOUBLE PRECISION NOT NULL,
    "levels" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "ShopPrediction_pkey" PRIMARY KEY ("shop")
);

-- CreateIndex
CREATE INDEX "Customer_shop_predictedValueMinor_id_idx" ON "Customer"("shop", "predictedValueMinor", "id");

-- CreateIndex
CREATE INDEX "Customer_shop_stage_predictedValueMinor_id_idx" ON "Customer"("shop", "stage", "predictedValueMinor", "id");


-- CreateTable
CREATE TABLE "StageConversion" (
    "shop" TEXT NOT NULL,
    "stage" INTEGER NOT NULL,
    "windowDays" INTEGER NOT NULL,
    "base" INTEGER,
    "converted" INTEGER NOT NULL,
    "cohortFrom" TIMESTAMP(3),
    "cohortTo" TIMESTAMP(3),
    "measuredAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StageConversion_pkey" PRIMARY KEY ("shop","stage")
);


-- CreateTable
CREATE TABLE "StageConversion" (
    "shop" TEXT NOT NULL,
    "stage" INTEGER NOT NULL,
    "windowDays" INTEGER NOT NULL,
    "base" INTEGER,
    "converted" INTEGER NOT NULL,
    "cohortFrom" DATETIME,
    "cohortTo" DATETIME,
    "measuredAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "stage")
);


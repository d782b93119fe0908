-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Job" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT,
    "name" TEXT NOT NULL,
    "data" TEXT NOT NULL DEFAULT '{}',
    "singletonKey" TEXT,
    "key" TEXT,
    "runAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedAt" DATETIME,
    "lockedBy" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 5,
    "lastError" TEXT,
    "errorKind" TEXT,
    "doneAt" DATETIME,
    "failedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_Job" ("attempts", "createdAt", "data", "doneAt", "id", "lastError", "lockedAt", "lockedBy", "name", "runAt", "shop", "singletonKey") SELECT "attempts", "createdAt", "data", "doneAt", "id", "lastError", "lockedAt", "lockedBy", "name", "runAt", "shop", "singletonKey" FROM "Job";
DROP TABLE "Job";
ALTER TABLE "new_Job" RENAME TO "Job";
CREATE INDEX "Job_doneAt_runAt_idx" ON "Job"("doneAt", "runAt");
CREATE INDEX "Job_shop_failedAt_idx" ON "Job"("shop", "failedAt");
CREATE UNIQUE INDEX "Job_singletonKey_key" ON "Job"("singletonKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Jobs queued before this migration keep their key for Retry, and those the old runner gave up on (done with an
-- error after the attempt limit) become parked, so the merchant sees them.
UPDATE "Job" SET "key" = "singletonKey" WHERE "singletonKey" IS NOT NULL;
UPDATE "Job" SET "failedAt" = "doneAt", "doneAt" = NULL WHERE "doneAt" IS NOT NULL AND "lastError" IS NOT NULL AND "attempts" >= 5;

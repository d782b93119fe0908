-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "grantedScopes" TEXT;
ALTER TABLE "Shop" ADD COLUMN "scopesReadAt" DATETIME;

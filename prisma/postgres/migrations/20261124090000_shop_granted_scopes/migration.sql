-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "grantedScopes" TEXT,
ADD COLUMN     "scopesReadAt" TIMESTAMP(3);

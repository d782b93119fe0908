-- DropIndex
DROP INDEX "DataRequestExport_shop_idx";

-- AlterTable
ALTER TABLE "DataRequestExport" ADD COLUMN     "handedOverAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "DataRequestExport_shop_handedOverAt_id_idx" ON "DataRequestExport"("shop", "handedOverAt", "id");


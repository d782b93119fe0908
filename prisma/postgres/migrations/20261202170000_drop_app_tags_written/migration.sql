-- AlterTable
ALTER TABLE "Customer" DROP COLUMN "appTagsWritten";

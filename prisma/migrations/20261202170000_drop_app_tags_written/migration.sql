-- Customer.appTagsWritten was never read or written by the app. SQLite (3.35+) drops the column in place, without
-- copying the Customer table.
ALTER TABLE "Customer" DROP COLUMN "appTagsWritten";

-- DropIndex
DROP INDEX "Customer_shop_predictedValueMinor_id_idx";

-- The (shop, stage) index goes: (shop, stage, predictedValueMinor, id) serves every read by (shop, stage), and each
-- stage change moved an entry in both
DROP INDEX "Customer_shop_stage_idx";

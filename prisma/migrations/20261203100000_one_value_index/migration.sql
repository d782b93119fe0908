-- The all-stages value index goes: the customers page merges one range read per stage of the (shop, stage,
-- predictedValueMinor, id) index, and every prediction the nightly refit rewrote moved its entry in both indexes
DROP INDEX "Customer_shop_predictedValueMinor_id_idx";

/**
 * A shop's permanent domain, `<handle>.myshopify.com`: the key of every row the app stores for a shop. Shopify sends it
 * lowercase in X-Shopify-Shop-Domain, in a session token's `dest` and in compliance payloads' `shop_domain`. The
 * handle is one DNS label (letters, digits, hyphens; at most 63 characters), which also bounds the whole domain.
 * Custom domains (www.example.com) are never a shop's key: Shopify's own libraries accept only its domains too
 * (@shopify/shopify-api sanitizeShop).
 */
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,62}\.myshopify\.com$/;

export const MAX_SHOP_DOMAIN_LENGTH = 63 + ".myshopify.com".length;

export function isShopDomain(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_SHOP_DOMAIN_LENGTH && SHOP_DOMAIN.test(value);
}

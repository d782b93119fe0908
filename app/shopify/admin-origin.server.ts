import { abstractFetch, setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

/**
 * Sends every request shopify-app-remix makes to https://<shop>.myshopify.com/... to `origin` instead,
 * keeping path and query. Installed only when SHOPIFY_ADMIN_API_ORIGIN is set (the local dev store);
 * production never sets it, so no code path knows it is talking to anything but Shopify.
 */
export function routeShopRequestsTo(origin: string): void {
  const target = new URL(origin);
  const original = abstractFetch;
  setAbstractFetchFunc(async (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (url.hostname.endsWith(".myshopify.com")) {
      url.protocol = target.protocol;
      url.host = target.host;
      return original(url.href, init);
    }
    return original(input, init);
  });
}

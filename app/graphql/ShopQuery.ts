export const ShopQuery = `#graphql
  query ShopQuery {
    shop {
      id
      name
      myshopifyDomain
      currencyCode
      ianaTimezone
    }
  }
`;

export interface ShopQueryData {
  shop: { id: string; name: string; myshopifyDomain: string; currencyCode: string; ianaTimezone: string };
}

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

/**
 * Runs one ShopifyQL query (Admin API 2026-10 `shopifyqlQuery`, scope read_reports). The queries themselves are
 * the constants of app/shopify/shopifyql.server.ts; `rows` is a JSON list of objects keyed by column name.
 */
export const ShopifyqlQuery = `#graphql
  query ShopifyqlQuery($query: String!) {
    shopifyqlQuery(query: $query) {
      parseErrors
      parseWarnings
      tableData {
        columns {
          name
          dataType
          displayName
        }
        rows
      }
    }
  }
`;

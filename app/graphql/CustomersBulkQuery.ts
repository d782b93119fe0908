/** The inner query of the customers bulk export: just the facts the lifecycle model needs, no personal data. */
export const CustomersBulkQuery = `#graphql
  {
    customers {
      edges {
        node {
          id
          createdAt
          updatedAt
          tags
          emailMarketingConsent {
            marketingState
            consentUpdatedAt
          }
        }
      }
    }
  }
`;

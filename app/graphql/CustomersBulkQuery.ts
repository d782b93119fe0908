/**
 * The inner query of the customers bulk export: just the facts the lifecycle model needs, no personal data. Consent
 * comes from `defaultEmailAddress` (Customer.emailMarketingConsent is deprecated in 2026-10); its emailAddress is
 * not asked for, so level 1 protected customer data is enough.
 */
export const CustomersBulkQuery = `#graphql
  {
    customers {
      edges {
        node {
          id
          createdAt
          updatedAt
          tags
          defaultEmailAddress {
            marketingState
            marketingOptInLevel
            marketingUpdatedAt
          }
        }
      }
    }
  }
`;

/** One customer's current facts, when a webhook says they changed but not how (purchasing summary, consent). */
export const CustomerFactsQuery = `#graphql
  query CustomerFactsQuery($id: ID!, $after: String) {
    customer(id: $id) {
      id
      createdAt
      updatedAt
      tags
      defaultEmailAddress {
        marketingState
        marketingOptInLevel
        marketingUpdatedAt
      }
      orders(first: 100, after: $after) {
        nodes {
          id
          createdAt
          updatedAt
          cancelledAt
          test
          displayFinancialStatus
          totalPriceSet {
            shopMoney {
              amount
              currencyCode
            }
          }
          totalRefundedSet {
            shopMoney {
              amount
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`;

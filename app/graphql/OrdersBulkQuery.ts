/** The inner query of the orders bulk export (read_all_orders makes it reach past 60 days). */
export const OrdersBulkQuery = `#graphql
  {
    orders {
      edges {
        node {
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
          customer {
            id
          }
        }
      }
    }
  }
`;

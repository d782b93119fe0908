/**
 * The inner query of the orders bulk export (read_all_orders makes it reach past 60 days). The journey summary and
 * discount codes feed the campaigns found in orders (app/campaigns/found.ts); the same selection as
 * OrderJourneysQuery, which reads them again for new orders.
 */
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
          discountCodes
          customerJourneySummary {
            ready
            customerOrderIndex
            firstVisit {
              sourceDescription
              utmParameters {
                source
                medium
                campaign
              }
              marketingEvent {
                id
                type
                marketingChannelType
                utmCampaign
                description
              }
            }
            lastVisit {
              sourceDescription
              utmParameters {
                source
                medium
                campaign
              }
              marketingEvent {
                id
                type
                marketingChannelType
                utmCampaign
                description
              }
            }
          }
        }
      }
    }
  }
`;

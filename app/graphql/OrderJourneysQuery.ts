/**
 * The journey summaries and discount codes of up to JOURNEY_BATCH orders: a webhook's order payload does not carry
 * the summary, and Shopify attributes it a little after the order (`ready` false until then). Same selection as the
 * orders bulk query.
 */
export const OrderJourneysQuery = `#graphql
  query OrderJourneysQuery($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Order {
        id
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
`;

export interface JourneyVisitData {
  sourceDescription?: string | null;
  utmParameters?: { source?: string | null; medium?: string | null; campaign?: string | null } | null;
  marketingEvent?: {
    id: string;
    type: string;
    marketingChannelType?: string | null;
    utmCampaign?: string | null;
    description?: string | null;
  } | null;
}

export interface JourneySummaryData {
  ready: boolean;
  customerOrderIndex?: number | null;
  firstVisit?: JourneyVisitData | null;
  lastVisit?: JourneyVisitData | null;
}

export interface OrderJourneyNode {
  id: string;
  discountCodes?: string[] | null;
  customerJourneySummary?: JourneySummaryData | null;
}

export interface OrderJourneysQueryData {
  nodes: Array<OrderJourneyNode | Record<string, never> | null>;
}

/** The shop's marketing activities (read_marketing_events), newest first, with their schedule from the marketing event. */
export const MarketingActivitiesQuery = `#graphql
  query MarketingActivitiesQuery($first: Int!, $after: String) {
    marketingActivities(first: $first, after: $after, sortKey: CREATED_AT, reverse: true) {
      nodes {
        id
        title
        status
        tactic
        marketingChannelType
        createdAt
        marketingEvent {
          startedAt
          scheduledToEndAt
          endedAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

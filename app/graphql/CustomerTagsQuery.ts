/** Re-reads customers' current tags before removing any, when a write met a conflict. */
export const CustomerTagsQuery = `#graphql
  query CustomerTagsQuery($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Customer {
        id
        tags
      }
    }
  }
`;

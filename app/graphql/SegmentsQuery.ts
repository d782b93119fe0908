export const SegmentsQuery = `#graphql
  query SegmentsQuery($first: Int!, $after: String) {
    segments(first: $first, after: $after) {
      nodes {
        id
        name
        query
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

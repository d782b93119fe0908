export const SegmentCreateMutation = `#graphql
  mutation SegmentCreateMutation($name: String!, $query: String!) {
    segmentCreate(name: $name, query: $query) {
      segment {
        id
        name
        query
      }
      userErrors {
        field
        message
      }
    }
  }
`;

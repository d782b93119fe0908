/** The single mutation a bulk tag-add runs once per JSONL line of variables. */
export const TagsAddMutation = `#graphql
  mutation TagsAddMutation($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      node {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;

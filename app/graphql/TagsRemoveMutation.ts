/** The single mutation a bulk tag-remove runs once per JSONL line of variables. */
export const TagsRemoveMutation = `#graphql
  mutation TagsRemoveMutation($id: ID!, $tags: [String!]!) {
    tagsRemove(id: $id, tags: $tags) {
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

export const BulkOperationRunQueryMutation = `#graphql
  mutation BulkOperationRunQueryMutation($query: String!) {
    bulkOperationRunQuery(query: $query, groupObjects: false) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const BulkOperationQuery = `#graphql
  query BulkOperationQuery($id: ID!) {
    bulkOperation(id: $id) {
      id
      status
      errorCode
      objectCount
      rootObjectCount
      fileSize
      url
      partialDataUrl
      completedAt
    }
  }
`;

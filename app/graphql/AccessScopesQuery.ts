/** The access scopes Shopify granted this installation (read at install and on app/scopes_update). */
export const AccessScopesQuery = `#graphql
  query AccessScopesQuery {
    currentAppInstallation {
      accessScopes {
        handle
      }
    }
  }
`;

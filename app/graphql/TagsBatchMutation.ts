export interface TagEdit {
  id: string;
  add: readonly string[];
  remove: readonly string[];
}

/**
 * Several customers' tag changes in one request, one aliased tagsAdd / tagsRemove per change, so a batch costs one
 * round trip; the caller sizes the batch to Shopify's 1,000-point single-query limit (10 points per mutation field).
 */
export function buildTagsBatchMutation(edits: readonly TagEdit[]): {
  document: string;
  variables: Record<string, unknown>;
  mutationCount: number;
} {
  const declarations: string[] = [];
  const fields: string[] = [];
  const variables: Record<string, unknown> = {};
  edits.forEach((edit, i) => {
    declarations.push(`$id${i}: ID!`);
    variables[`id${i}`] = edit.id;
    if (edit.remove.length > 0) {
      declarations.push(`$remove${i}: [String!]!`);
      variables[`remove${i}`] = edit.remove;
      fields.push(`r${i}: tagsRemove(id: $id${i}, tags: $remove${i}) { userErrors { field message } }`);
    }
    if (edit.add.length > 0) {
      declarations.push(`$add${i}: [String!]!`);
      variables[`add${i}`] = edit.add;
      fields.push(`a${i}: tagsAdd(id: $id${i}, tags: $add${i}) { userErrors { field message } }`);
    }
  });
  const document = `mutation TagsBatchMutation(${declarations.join(", ")}) {\n  ${fields.join("\n  ")}\n}`;
  return { document, variables, mutationCount: fields.length };
}

/**
 * Shopify's input limit (shopify.dev/docs/api/usage/limits, "Input limits"): "Input arguments that accept an array
 * have a maximum size of 250 for all APIs. Requests return an error if an input array exceeds 250 items." — the
 * whole request is refused before it runs (changelog "GraphQL input objects limited to 250 items", whose example is
 * `nodes(ids: [...251 ids])`). Arrays inside input objects count too.
 */
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  Kind,
  TypeInfo,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
} from "graphql";

export const MAX_INPUT_ARRAY = 250;

function oversized(
  value: unknown,
  type: GraphQLInputType,
  path: string[],
  found: Array<{ size: number; path: string[] }>,
): void {
  if (value === null || value === undefined) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const items = Array.isArray(value) ? value : [value];
    if (items.length > MAX_INPUT_ARRAY) found.push({ size: items.length, path });
    for (const item of items) oversized(item, nullable.ofType as GraphQLInputType, path, found);
    return;
  }
  const named = getNamedType(nullable);
  if (isInputObjectType(named) && typeof value === "object") {
    for (const [name, field] of Object.entries(named.getFields())) {
      oversized((value as Record<string, unknown>)[name], field.type, [...path, name], found);
    }
  }
}

/** Shopify's MAX_INPUT_SIZE_EXCEEDED errors for every argument of the document that carries more than 250 items. */
export function inputArrayErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
): GraphQLError[] {
  const typeInfo = new TypeInfo(schema);
  const errors: GraphQLError[] = [];
  const fieldPath: string[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter: (node) => void fieldPath.push(node.name.value),
        leave: () => void fieldPath.pop(),
      },
      Argument(node) {
        const argument = typeInfo.getArgument();
        if (!argument) return;
        const value =
          node.value.kind === Kind.VARIABLE
            ? variables[node.value.name.value]
            : valueFromAST(node.value, argument.type, variables);
        const found: Array<{ size: number; path: string[] }> = [];
        oversized(value, argument.type, [...fieldPath.slice(-1), node.name.value], found);
        for (const f of found) {
          errors.push(
            new GraphQLError(
              `The input array size of ${f.size} is greater than the maximum allowed of ${MAX_INPUT_ARRAY}.`,
              {
                nodes: [node],
                path: f.path,
                extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
              },
            ),
          );
        }
      },
    }),
  );
  return errors;
}

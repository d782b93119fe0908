/**
 * Shopify's calculated query cost for the GraphQL Admin API
 * (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits and
 * https://shopify.engineering/rate-limiting-graphql-apis-calculating-query-complexity):
 *
 *  - scalar and enum fields cost 0, `__typename` 0;
 *  - an object field costs 1 (plus its selection);
 *  - an interface / union field costs the maximum over its possible types;
 *  - a connection costs 2 + `first` (or `last`) × (cost of one node: 1 + its selection);
 *    `edges`, `pageInfo` and `cursor` are part of the connection and cost nothing extra;
 *  - a plain list of objects costs like one object (1 + the selection of one item);
 *  - a root mutation field costs 10, and the objects of its payload are included in
 *    that price (connections inside it still add 2 + size × node) — e.g. Shopify's
 *    documented `webPixelCreate { userErrors {…} webPixel {…} }` reports 10.
 *
 * The requested cost is computed statically before execution; the actual cost walks
 * the response, counting the objects that were really returned (a connection that
 * returned 10 of 250 nodes costs 2 + 10 × node).
 */
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getVariableValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isCompositeType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  typeFromAST,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

export const MAX_QUERY_COST = 1000;
export const MUTATION_COST = 10;
/** Alias injected into every selection set so the actual cost knows each object's concrete type. */
export const TYPENAME_ALIAS = "__devstore_t";

interface Ctx {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

export function isConnectionType(type: GraphQLNamedType): type is GraphQLObjectType {
  if (!isObjectType(type) || !type.name.endsWith("Connection")) return false;
  const f = type.getFields();
  return "pageInfo" in f && ("edges" in f || "nodes" in f);
}

function included(ctx: Ctx, node: { directives?: readonly import("graphql").DirectiveNode[] }): boolean {
  if (!node.directives?.length) return true;
  const skip = getDirectiveValues(GraphQLSkipDirective, node, ctx.variables);
  if (skip?.if === true) return false;
  const inc = getDirectiveValues(GraphQLIncludeDirective, node, ctx.variables);
  if (inc?.if === false) return false;
  return true;
}

function typeApplies(ctx: Ctx, condition: GraphQLNamedType, runtime: GraphQLCompositeType): boolean {
  if (condition === runtime) return true;
  if (isAbstractType(condition) && isObjectType(runtime)) return ctx.schema.isSubType(condition, runtime);
  // runtime is abstract (static estimation on an interface with no concrete type chosen)
  return false;
}

/** Groups the fields of some selection sets by response key, for one runtime type. */
function collect(
  ctx: Ctx,
  sets: readonly SelectionSetNode[],
  runtime: GraphQLCompositeType,
  out = new Map<string, FieldNode[]>(),
  seenFragments = new Set<string>(),
): Map<string, FieldNode[]> {
  for (const set of sets) {
    for (const sel of set.selections) {
      if (!included(ctx, sel)) continue;
      if (sel.kind === Kind.FIELD) {
        const key = sel.alias?.value ?? sel.name.value;
        if (key === TYPENAME_ALIAS) continue;
        const list = out.get(key);
        if (list) list.push(sel);
        else out.set(key, [sel]);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const cond = sel.typeCondition
          ? (typeFromAST(ctx.schema, sel.typeCondition) as GraphQLNamedType | undefined)
          : runtime;
        if (cond && typeApplies(ctx, cond, runtime)) collect(ctx, [sel.selectionSet], runtime, out, seenFragments);
      } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const name = sel.name.value;
        if (seenFragments.has(name)) continue;
        const frag = ctx.fragments[name];
        if (!frag) continue;
        const cond = typeFromAST(ctx.schema, frag.typeCondition) as GraphQLNamedType | undefined;
        if (cond && typeApplies(ctx, cond, runtime)) {
          seenFragments.add(name);
          collect(ctx, [frag.selectionSet], runtime, out, seenFragments);
        }
      }
    }
  }
  return out;
}

function hasTypedFragments(ctx: Ctx, sets: readonly SelectionSetNode[]): boolean {
  return sets.some((s) =>
    s.selections.some(
      (sel) => sel.kind === Kind.FRAGMENT_SPREAD || (sel.kind === Kind.INLINE_FRAGMENT && sel.typeCondition),
    ),
  );
}

function fieldDef(type: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (isObjectType(type) || "getFields" in type) {
    return (type as GraphQLObjectType).getFields()[name];
  }
  return undefined;
}

function subSets(nodes: FieldNode[]): SelectionSetNode[] {
  return nodes.map((n) => n.selectionSet).filter((s): s is SelectionSetNode => Boolean(s));
}

type Mode = { objectsFree: boolean };

/** Cost of a selection on `type`; `value` given → actual cost, undefined → requested. */
function selectionCost(
  ctx: Ctx,
  sets: readonly SelectionSetNode[],
  type: GraphQLCompositeType,
  value: unknown,
  mode: Mode,
): number {
  if (value !== undefined) {
    if (value === null || typeof value !== "object") return 0;
    const tn = (value as Record<string, unknown>)[TYPENAME_ALIAS];
    const runtime = (typeof tn === "string" ? ctx.schema.getType(tn) : undefined) ?? type;
    return fieldsCost(
      ctx,
      collect(ctx, sets, runtime as GraphQLCompositeType),
      runtime as GraphQLCompositeType,
      value as Record<string, unknown>,
      mode,
    );
  }
  if (isAbstractType(type) && hasTypedFragments(ctx, sets)) {
    let max = 0;
    for (const t of ctx.schema.getPossibleTypes(type)) {
      max = Math.max(max, fieldsCost(ctx, collect(ctx, sets, t), t, undefined, mode));
    }
    return max;
  }
  return fieldsCost(ctx, collect(ctx, sets, type), type, undefined, mode);
}

function fieldsCost(
  ctx: Ctx,
  fields: Map<string, FieldNode[]>,
  type: GraphQLCompositeType,
  value: Record<string, unknown> | undefined,
  mode: Mode,
): number {
  let total = 0;
  for (const [key, nodes] of fields) {
    const name = nodes[0].name.value;
    if (name.startsWith("__")) continue;
    const def = fieldDef(type, name);
    if (!def) continue;
    total += fieldCost(ctx, def, nodes, value ? value[key] : undefined, value !== undefined, mode);
  }
  return total;
}

function unwrapList(t: GraphQLOutputType): boolean {
  const inner = isNonNullType(t) ? t.ofType : t;
  return isListType(inner);
}

function fieldCost(
  ctx: Ctx,
  def: GraphQLField<unknown, unknown>,
  nodes: FieldNode[],
  value: unknown,
  actual: boolean,
  mode: Mode,
): number {
  const named = getNamedType(def.type);
  if (isLeafType(named)) return 0;
  if (!isCompositeType(named)) return 0;
  if (actual && (value === null || value === undefined)) return 0;
  const sets = subSets(nodes);
  if (isConnectionType(named)) return connectionCost(ctx, def, nodes, named, sets, actual ? value : undefined);
  const own = mode.objectsFree ? 0 : 1;
  if (unwrapList(def.type)) {
    if (!actual) return own + selectionCost(ctx, sets, named, undefined, mode);
    let max = 0;
    for (const item of value as unknown[]) max = Math.max(max, selectionCost(ctx, sets, named, item, mode));
    return own + max;
  }
  return own + selectionCost(ctx, sets, named, actual ? value : undefined, mode);
}

function connectionCost(
  ctx: Ctx,
  def: GraphQLField<unknown, unknown>,
  nodes: FieldNode[],
  conn: GraphQLObjectType,
  sets: SelectionSetNode[],
  value: unknown,
): number {
  const inner = collect(ctx, sets, conn);
  const nodeMode: Mode = { objectsFree: false };
  const edgeType = conn.getFields().edges
    ? (getNamedType(conn.getFields().edges.type) as GraphQLObjectType)
    : undefined;
  const nodesField = conn.getFields().nodes;
  const nodeType = nodesField
    ? (getNamedType(nodesField.type) as GraphQLCompositeType)
    : edgeType
      ? (getNamedType(edgeType.getFields().node.type) as GraphQLCompositeType)
      : undefined;
  if (!nodeType) return 2;
  // gather node selections from `edges { node { … } }` and `nodes { … }`
  const edgeKeys: Array<{ key: string; nodeSets: Map<string, SelectionSetNode[]> }> = [];
  const nodesKeys: Array<{ key: string; sets: SelectionSetNode[] }> = [];
  for (const [key, fnodes] of inner) {
    const name = fnodes[0].name.value;
    if (name === "edges" && edgeType) {
      const edgeFields = collect(ctx, subSets(fnodes), edgeType);
      const nodeSets = new Map<string, SelectionSetNode[]>();
      for (const [ekey, enodes] of edgeFields) {
        if (enodes[0].name.value === "node") nodeSets.set(ekey, subSets(enodes));
      }
      edgeKeys.push({ key, nodeSets });
    } else if (name === "nodes") {
      nodesKeys.push({ key, sets: subSets(fnodes) });
    }
  }
  if (value === undefined) {
    const args = safeArgs(def, nodes[0], ctx.variables);
    const size = Number(args.first ?? args.last ?? 0) || 0;
    let nodeCost = 0;
    for (const e of edgeKeys)
      for (const s of e.nodeSets.values())
        nodeCost = Math.max(nodeCost, 1 + selectionCost(ctx, s, nodeType, undefined, nodeMode));
    for (const nk of nodesKeys)
      nodeCost = Math.max(nodeCost, 1 + selectionCost(ctx, nk.sets, nodeType, undefined, nodeMode));
    return 2 + size * nodeCost;
  }
  const obj = value as Record<string, unknown>;
  let best = 0;
  for (const e of edgeKeys) {
    const edges = (obj[e.key] as Array<Record<string, unknown>> | null) ?? [];
    let sum = 0;
    for (const [nkey, s] of e.nodeSets) {
      let part = 0;
      for (const edge of edges) {
        const node = edge?.[nkey];
        if (node !== null && node !== undefined) part += 1 + selectionCost(ctx, s, nodeType, node, nodeMode);
      }
      sum = Math.max(sum, part);
    }
    best = Math.max(best, sum);
  }
  for (const nk of nodesKeys) {
    const list = (obj[nk.key] as unknown[] | null) ?? [];
    let sum = 0;
    for (const node of list)
      if (node !== null && node !== undefined) sum += 1 + selectionCost(ctx, nk.sets, nodeType, node, nodeMode);
    best = Math.max(best, sum);
  }
  return 2 + best;
}

function safeArgs(
  def: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  try {
    return getArgumentValues(def, node, variables);
  } catch {
    return {};
  }
}

function pickOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return ops.find((o) => o.name?.value === operationName);
  return ops.length === 1 ? ops[0] : undefined;
}

function makeCtx(
  schema: GraphQLSchema,
  document: DocumentNode,
  op: OperationDefinitionNode,
  rawVariables: Record<string, unknown> | null | undefined,
  coerced?: Record<string, unknown>,
): Ctx {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  let variables = coerced;
  if (!variables) {
    const res = getVariableValues(schema, op.variableDefinitions ?? [], rawVariables ?? {});
    variables = "coerced" in res && res.coerced ? res.coerced : { ...(rawVariables ?? {}) };
  }
  return { schema, fragments, variables };
}

function operationCost(ctx: Ctx, op: OperationDefinitionNode, data: Record<string, unknown> | undefined): number {
  const root = ctx.schema.getRootType(op.operation);
  if (!root) return 0;
  if (op.operation !== "mutation") {
    return selectionCost(
      ctx,
      [op.selectionSet],
      root,
      data === undefined ? undefined : { ...data, [TYPENAME_ALIAS]: root.name },
      {
        objectsFree: false,
      },
    );
  }
  let total = 0;
  for (const [key, nodes] of collect(ctx, [op.selectionSet], root)) {
    const name = nodes[0].name.value;
    if (name.startsWith("__")) continue;
    const def = root.getFields()[name];
    if (!def) continue;
    const value = data ? data[key] : undefined;
    if (data && (value === null || value === undefined)) {
      total += MUTATION_COST; // the mutation ran (or was attempted)
      continue;
    }
    const named = getNamedType(def.type);
    const sub = isCompositeType(named)
      ? selectionCost(ctx, subSets(nodes), named, data ? value : undefined, { objectsFree: true })
      : 0;
    total += MUTATION_COST + sub;
  }
  return total;
}

/**
 * Requested cost of an operation, as Shopify computes it before running it.
 * `variables` are the raw request variables.
 */
export function calculateQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: Record<string, unknown> | null,
  operationName?: string | null,
): number {
  const op = pickOperation(document, operationName);
  if (!op) return 0;
  return operationCost(makeCtx(schema, document, op, variables), op, undefined);
}

/**
 * Actual cost: walks `data`, which must have been produced by executing
 * `withTypenameMarkers(document)` (so every object carries its concrete type).
 */
export function calculateActualCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  data: Record<string, unknown> | null | undefined,
  operationName?: string | null,
): number {
  const op = pickOperation(document, operationName);
  if (!op) return 0;
  if (!data) return 0;
  return operationCost(makeCtx(schema, document, op, variables), op, data);
}

/** Adds `__devstore_t: __typename` to every selection set (fields merge, so duplicates are harmless). */
export function withTypenameMarkers(document: DocumentNode): DocumentNode {
  const marker: FieldNode = {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: TYPENAME_ALIAS },
    name: { kind: Kind.NAME, value: "__typename" },
  };
  return visit(document, {
    SelectionSet: {
      leave(node) {
        return { ...node, selections: [...node.selections, marker] };
      },
    },
    OperationDefinition: {
      leave(node) {
        // no marker on the root selection set (the root type is known)
        return {
          ...node,
          selectionSet: {
            ...node.selectionSet,
            selections: node.selectionSet.selections.filter(
              (s) => !(s.kind === Kind.FIELD && s.alias?.value === TYPENAME_ALIAS),
            ),
          },
        };
      },
    },
  });
}

/** Removes the markers from a response (in place) and returns it. */
export function stripTypenameMarkers<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const v of value) stripTypenameMarkers(v);
  } else if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (TYPENAME_ALIAS in obj) delete obj[TYPENAME_ALIAS];
    for (const k in obj) {
      const v = obj[k];
      if (v && typeof v === "object") stripTypenameMarkers(v);
    }
  }
  return value;
}

/** Fields of some selection sets for one runtime type, grouped by response key (for bulk flattening). */
export function collectFieldsFor(
  schema: GraphQLSchema,
  document: DocumentNode,
  sets: readonly SelectionSetNode[],
  runtime: GraphQLCompositeType,
  variables: Record<string, unknown> = {},
): Map<string, FieldNode[]> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return collect({ schema, fragments, variables }, sets, runtime);
}

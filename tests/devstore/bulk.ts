/**
 * Bulk operations (https://shopify.dev/docs/api/usage/bulk-operations/queries and /imports):
 * a bulk query runs over the same resolvers with `first`/`last` ignored and is written as
 * JSONL: one line per connection node, nested connection nodes as their own lines right after
 * their parent with `__parentId`; a bulk mutation runs the mutation once per JSONL line of the
 * staged upload and writes `{"data":…,"__lineNumber":n}` lines.
 */
import {
  getNamedType,
  isCompositeType,
  isListType,
  isNonNullType,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { collectFieldsFor, isConnectionType, TYPENAME_ALIAS, withTypenameMarkers } from "./cost";

export interface BulkQueryCheck {
  doc?: DocumentNode;
  marked?: DocumentNode;
  error?: string;
}

function subSets(nodes: FieldNode[]): SelectionSetNode[] {
  return nodes.map((n) => n.selectionSet).filter((s): s is SelectionSetNode => Boolean(s));
}

/** Shopify's bulk query rules: a query, at least one connection, at most five, nested at most two levels, parents select `id`. */
export function checkBulkQuery(schema: GraphQLSchema, query: string): BulkQueryCheck {
  let doc: DocumentNode;
  try {
    doc = parse(query);
  } catch (e) {
    return { error: `Invalid bulk query: ${(e as Error).message}` };
  }
  const errors = validate(schema, doc);
  if (errors.length) return { error: `Invalid bulk query: ${errors[0].message}` };
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (ops.length !== 1) return { error: "Invalid bulk query: exactly one operation is required." };
  if (ops[0].operation !== "query") return { error: "Bulk queries cannot contain mutations." };
  let connections = 0;
  let maxDepth = 0;
  let problem: string | undefined;
  const walk = (
    sets: SelectionSetNode[],
    type: GraphQLCompositeType,
    depth: number,
    parentSelectsId: boolean | null,
  ) => {
    for (const [, nodes] of collectFieldsFor(schema, doc, sets, type)) {
      const name = nodes[0].name.value;
      if (name.startsWith("__") || !("getFields" in type)) continue;
      const def = (type as GraphQLObjectType).getFields()[name];
      if (!def) continue;
      const named = getNamedType(def.type);
      if (!isCompositeType(named)) continue;
      if (isConnectionType(named)) {
        connections++;
        const d = depth + 1;
        maxDepth = Math.max(maxDepth, d);
        if (d > 1 && parentSelectsId === false && !problem)
          problem = `The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of 'ID' return type. Connection field: '${name}'`;
        const inner = collectFieldsFor(schema, doc, subSets(nodes), named);
        const edgeType = named.getFields().edges
          ? (getNamedType(named.getFields().edges.type) as GraphQLObjectType)
          : undefined;
        const nodeType = getNamedType(
          (named.getFields().nodes ?? edgeType?.getFields().node)!.type,
        ) as GraphQLCompositeType;
        for (const [, f] of inner) {
          const n = f[0].name.value;
          let nodeSets: SelectionSetNode[] = [];
          if (n === "nodes") nodeSets = subSets(f);
          else if (n === "edges" && edgeType) {
            for (const [, ef] of collectFieldsFor(schema, doc, subSets(f), edgeType))
              if (ef[0].name.value === "node") nodeSets.push(...subSets(ef));
          } else continue;
          const selectsId = [...collectFieldsFor(schema, doc, nodeSets, nodeType)].some(
            ([key, fs]) => key === "id" && fs[0].name.value === "id",
          );
          walk(nodeSets, nodeType, d, selectsId);
        }
      } else {
        walk(subSets(nodes), named, depth, parentSelectsId);
      }
    }
  };
  walk([ops[0].selectionSet], schema.getQueryType()!, 0, null);
  if (problem) return { error: problem };
  if (connections === 0) return { error: "Bulk queries must contain at least 1 connection." };
  if (connections > 5) return { error: "Bulk queries cannot contain more than 5 connections." };
  if (maxDepth > 2) return { error: "Bulk queries cannot contain connections with a nesting depth greater than 2." };
  return { doc, marked: withTypenameMarkers(doc) };
}

export interface FlatResult {
  lines: string[];
  objectCount: number;
  rootObjectCount: number;
}

/** Turns an executed bulk query result (executed with typename markers) into JSONL lines. */
export function flattenBulkResult(schema: GraphQLSchema, doc: DocumentNode, data: Record<string, unknown>): FlatResult {
  const lines: string[] = [];
  let rootObjectCount = 0;
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;

  const runtimeOf = (value: Record<string, unknown>, fallback: GraphQLCompositeType): GraphQLCompositeType => {
    const tn = value[TYPENAME_ALIAS];
    return ((typeof tn === "string" ? schema.getType(tn) : undefined) as GraphQLCompositeType | undefined) ?? fallback;
  };

  const connectionNodes = (conn: Record<string, unknown>, key: string, fields: Map<string, FieldNode[]>) => {
    void key;
    for (const [k, f] of fields) {
      const n = f[0].name.value;
      if (n === "nodes" && Array.isArray(conn[k]))
        return { list: conn[k] as Array<Record<string, unknown>>, via: "nodes" as const, field: f };
      if (n === "edges" && Array.isArray(conn[k])) {
        return {
          list: (conn[k] as Array<Record<string, unknown>>).map((e) => e?.node as Record<string, unknown>),
          via: "edges" as const,
          field: f,
        };
      }
    }
    return { list: [] as Array<Record<string, unknown>>, via: "nodes" as const, field: [] as FieldNode[] };
  };

  const nodeSelection = (conn: GraphQLObjectType, connFields: Map<string, FieldNode[]>): SelectionSetNode[] => {
    const out: SelectionSetNode[] = [];
    const edgeType = conn.getFields().edges
      ? (getNamedType(conn.getFields().edges.type) as GraphQLObjectType)
      : undefined;
    for (const [, f] of connFields) {
      const n = f[0].name.value;
      if (n === "nodes") out.push(...subSets(f));
      else if (n === "edges" && edgeType) {
        for (const [, ef] of collectFieldsFor(schema, doc, subSets(f), edgeType))
          if (ef[0].name.value === "node") out.push(...subSets(ef));
      }
    }
    return out;
  };

  /** Removes nested connections from `obj` (emitting their nodes into `out`), recursing into plain objects. */
  const processObject = (
    obj: Record<string, unknown>,
    staticType: GraphQLCompositeType,
    sets: SelectionSetNode[],
    parentId: string | undefined,
    out: string[],
  ) => {
    const type = runtimeOf(obj, staticType);
    const fields = collectFieldsFor(schema, doc, sets, type);
    for (const [key, nodes] of fields) {
      const name = nodes[0].name.value;
      if (name.startsWith("__") || !("getFields" in type)) continue;
      const def = (type as GraphQLObjectType).getFields()[name];
      if (!def) continue;
      const named = getNamedType(def.type);
      if (!isCompositeType(named)) continue;
      const value = obj[key];
      if (value === null || value === undefined) continue;
      if (isConnectionType(named)) {
        delete obj[key];
        const connFields = collectFieldsFor(schema, doc, subSets(nodes), named);
        const { list } = connectionNodes(value as Record<string, unknown>, key, connFields);
        const nodeType = getNamedType(
          (named.getFields().nodes ??
            (getNamedType(named.getFields().edges.type) as GraphQLObjectType).getFields().node)!.type,
        ) as GraphQLCompositeType;
        const nSets = nodeSelection(named, connFields);
        for (const node of list) if (node) emitNode(node, nodeType, nSets, parentId, out);
        continue;
      }
      const t = isNonNullType(def.type) ? def.type.ofType : def.type;
      if (isListType(t)) {
        for (const item of value as unknown[])
          if (item && typeof item === "object")
            processObject(item as Record<string, unknown>, named, subSets(nodes), parentId, out);
      } else processObject(value as Record<string, unknown>, named, subSets(nodes), parentId, out);
    }
    delete obj[TYPENAME_ALIAS];
  };

  const emitNode = (
    node: Record<string, unknown>,
    type: GraphQLCompositeType,
    sets: SelectionSetNode[],
    parentId: string | undefined,
    out: string[],
  ) => {
    const children: string[] = [];
    const ownId = typeof node.id === "string" ? node.id : parentId;
    processObject(node, type, sets, ownId, children);
    if (parentId !== undefined) node.__parentId = parentId;
    else rootObjectCount++;
    out.push(JSON.stringify(node));
    for (const c of children) out.push(c);
  };

  const root = schema.getQueryType()!;
  processObject({ ...data, [TYPENAME_ALIAS]: root.name }, root, [op.selectionSet], undefined, lines);
  return { lines, objectCount: lines.length, rootObjectCount };
}

export interface BulkMutationCheck {
  doc?: DocumentNode;
  error?: string;
}

export function checkBulkMutation(schema: GraphQLSchema, mutation: string): BulkMutationCheck {
  let doc: DocumentNode;
  try {
    doc = parse(mutation);
  } catch (e) {
    return { error: `Failed to parse the mutation - ${(e as Error).message}` };
  }
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (ops.length !== 1 || ops[0].operation !== "mutation")
    return { error: "Invalid mutation: a single mutation operation is required." };
  const roots = ops[0].selectionSet.selections.filter((s) => s.kind === Kind.FIELD);
  if (roots.length !== 1)
    return { error: "Invalid mutation: bulk mutations must contain exactly one top-level field." };
  const name = (roots[0] as FieldNode).name.value;
  if (name.startsWith("bulkOperation") || name === "stagedUploadsCreate")
    return { error: `Invalid mutation: ${name} is not supported in bulk mutations.` };
  const errors = validate(schema, doc);
  if (errors.length) return { error: `Invalid mutation: ${errors[0].message}` };
  return { doc };
}

/** Parses the staged JSONL of variables; throws with the line number on bad JSON. */
export function parseVariablesJsonl(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new Error(`Invalid JSON on line ${i + 1}`);
    }
    if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error(`Line ${i + 1} is not a JSON object`);
    out.push(v as Record<string, unknown>);
  });
  return out;
}

import { mutationPayload, type AdminClient } from "./admin-client.server";
import { SegmentCreateMutation } from "../graphql/SegmentCreateMutation";
import { SegmentsQuery } from "../graphql/SegmentsQuery";
import { STAGES, type Stage } from "../lifecycle";
import type { SegmentsQueryQuery } from "../types/admin.generated";

const SEGMENT_NAMES: Record<Stage, string> = {
  visitor: "Lifecycle: Visitors",
  enquirer: "Lifecycle: Enquirers",
  "first-time-buyer": "Lifecycle: First-time buyers",
  "repeat-buyer": "Lifecycle: Repeat buyers",
  "regular-buyer": "Lifecycle: Regular buyers",
  lapsed: "Lifecycle: Lapsed",
  returned: "Lifecycle: Returned",
};

export interface SegmentSpec {
  stage: Stage;
  name: string;
  query: string;
}

/** One segment per stage, in ShopifyQL segment syntax, so Shopify Email and other tools can target stages. */
export function stageSegments(prefix: string): SegmentSpec[] {
  return STAGES.map((stage) => ({
    stage,
    name: SEGMENT_NAMES[stage],
    query: `customer_tags CONTAINS '${`${prefix}${stage}`.replace(/'/g, "\\'")}'`,
  }));
}

interface ExistingSegment {
  id: string;
  name: string;
  query: string;
}

async function listSegments(client: AdminClient): Promise<ExistingSegment[]> {
  const all: ExistingSegment[] = [];
  let after: string | null = null;
  do {
    // Annotated: `after` feeds the next request, which TypeScript cannot infer through the loop.
    const { data }: { data: SegmentsQueryQuery } = await client.request(SegmentsQuery, { first: 250, after });
    all.push(...data.segments.nodes);
    after = data.segments.pageInfo.hasNextPage ? (data.segments.pageInfo.endCursor ?? null) : null;
  } while (after);
  return all;
}

/**
 * Creates the stage segments that do not exist yet. A segment with the same query is reused (reinstall), and
 * a name taken by a different query gets the prefix appended rather than a duplicate name.
 */
export async function ensureStageSegments(
  client: AdminClient,
  prefix: string,
): Promise<Array<SegmentSpec & { id: string }>> {
  const existing = await listSegments(client);
  const result: Array<SegmentSpec & { id: string }> = [];
  for (const spec of stageSegments(prefix)) {
    const same = existing.find((s) => s.query.trim() === spec.query);
    if (same) {
      result.push({ ...spec, id: same.id, name: same.name });
      continue;
    }
    const name = existing.some((s) => s.name === spec.name) ? `${spec.name} (${prefix})` : spec.name;
    const { data } = await client.request(SegmentCreateMutation, { name, query: spec.query });
    result.push({ ...spec, name, id: mutationPayload("segmentCreate", data.segmentCreate).segment!.id });
  }
  return result;
}

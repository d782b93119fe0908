/**
 * What the app may do with what Shopify granted. A stage depends on a customer's whole order history, and without
 * read_all_orders Shopify shows the app only the last 60 days of orders: every regular buyer of two months ago would
 * look like a first-time buyer. So without it the app imports nothing, writes no stage tag and fires no Flow trigger
 * (the board says why); when the scope arrives (app/scopes_update) the full import runs.
 */
import type { Db } from "../db.server";
import type { TagWriteOutcome } from "../domain/sync";
import type { TagEdit } from "../graphql/TagsBatchMutation";
import { loadGrantedScopes, saveGrantedScopes } from "../models/shop-access.server";
import { FULL_HISTORY_SCOPE, readGrantedScopes, scopeGranted } from "../shopify/access-scopes.server";
import type { GraphqlRequester } from "../shopify/requester.server";
import { requestBackfill } from "./backfill.server";

/** Stored on each customer whose tag was not written (shown on the customers page like any tag error). */
export const TAGS_HELD_MESSAGE =
  "Not written: Shopify has not granted the app read_all_orders, so it sees only the last 60 days of orders and would tag from a cut-off history.";

/** Reads the granted scopes from Shopify (currentAppInstallation.accessScopes) and stores them. */
export async function refreshGrantedScopes(
  db: Db,
  shop: string,
  client: GraphqlRequester,
  now: Date,
): Promise<{ scopes: string[]; previous: string[] | null }> {
  const scopes = await readGrantedScopes(client);
  const previous = await saveGrantedScopes(db, shop, scopes, now);
  return { scopes, previous };
}

/** Whether the app may write what it computes from the order history: only with read_all_orders. */
export async function fullHistoryGranted(
  db: Db,
  shop: string,
  client: GraphqlRequester,
  now: Date = new Date(),
): Promise<boolean> {
  const stored = await loadGrantedScopes(db, shop);
  const scopes = stored.scopes ?? (await refreshGrantedScopes(db, shop, client, now)).scopes;
  return scopeGranted(scopes, FULL_HISTORY_SCOPE);
}

/** The outcome of tag edits held back: none written, each customer told why. */
export function heldTagWrites(edits: readonly TagEdit[]): TagWriteOutcome[] {
  return edits.map((edit) => ({ gid: edit.id, ok: false, error: TAGS_HELD_MESSAGE }));
}

/** Stage changes computed from a cut-off history never reach Flow: pending ones are marked skipped. */
export async function skipPendingStageChanges(db: Db, shop: string): Promise<number> {
  const { count } = await db.stageChange.updateMany({
    where: { shop, flowStatus: "pending" },
    data: { flowStatus: "skipped" },
  });
  return count;
}

/** Whether the shop's first import may start: unknown scopes (not read yet) or the full history granted. */
export function importMayStart(scopes: readonly string[] | null): boolean {
  return scopes === null || scopeGranted(scopes, FULL_HISTORY_SCOPE);
}

/**
 * app/scopes_update: reads what Shopify grants now (the payload's `current` when the API cannot be reached) and
 * stores it; read_all_orders newly granted starts the full import — for a shop whose scopes were never read, only
 * when it has no finished import yet.
 */
export async function onScopesUpdate(
  db: Db,
  shop: string,
  payload: Record<string, unknown>,
  now: Date,
  client?: GraphqlRequester,
): Promise<void> {
  const reported = Array.isArray(payload.current) ? (payload.current as unknown[]).map(String) : null;
  let scopes: string[];
  try {
    if (!client) throw new Error("no Admin API client");
    scopes = await readGrantedScopes(client);
  } catch (error) {
    if (!reported) throw error;
    scopes = reported;
  }
  const previous = await saveGrantedScopes(db, shop, scopes, now);
  await db.session.updateMany({ where: { shop }, data: { scope: scopes.join(",") } });
  if (!scopeGranted(scopes, FULL_HISTORY_SCOPE)) return;
  if (previous === null) {
    const done = await db.syncRun.count({ where: { shop, kind: "backfill", phase: "done" } });
    if (done > 0) return;
  } else if (scopeGranted(previous, FULL_HISTORY_SCOPE)) {
    return;
  }
  await requestBackfill(shop, db);
}

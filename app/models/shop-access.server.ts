import type { Db } from "../db.server";

export interface StoredScopes {
  /** null until the app first read them. */
  scopes: string[] | null;
  readAt: Date | null;
}

export async function loadGrantedScopes(db: Db, shop: string): Promise<StoredScopes> {
  const row = await db.shop.findUnique({
    where: { domain: shop },
    select: { grantedScopes: true, scopesReadAt: true },
  });
  return {
    scopes: row?.grantedScopes == null ? null : row.grantedScopes.split(",").filter(Boolean),
    readAt: row?.scopesReadAt ?? null,
  };
}

/** Stores the scopes Shopify reported at `at` and returns the ones stored before (null: never read). */
export async function saveGrantedScopes(
  db: Db,
  shop: string,
  scopes: readonly string[],
  at: Date,
): Promise<string[] | null> {
  const before = await loadGrantedScopes(db, shop);
  await db.shop.upsert({
    where: { domain: shop },
    create: { domain: shop, grantedScopes: scopes.join(","), scopesReadAt: at },
    update: { grantedScopes: scopes.join(","), scopesReadAt: at },
  });
  return before.scopes;
}

/**
 * Query parameters of paged routes. A cursor the app did not write (malformed, or beyond what the database holds)
 * is the client's mistake: 400 with the parameter named, never a database error and a 500.
 */
export function cursorParam<T>(url: URL, name: string, parse: (value: string) => T | null): T | null {
  const value = url.searchParams.get(name);
  if (value === null || value === "") return null;
  const cursor = value.length <= 100 ? parse(value) : null;
  if (cursor === null)
    throw new Response(`Bad Request: "${name}" is not a cursor of this list`, {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  return cursor;
}

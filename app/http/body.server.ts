/**
 * Reads a request body up to `limit` bytes, counting the bytes as they stream in: null as soon as the body goes past
 * the limit, whatever Content-Length said (a chunked body declares none). The rest is never read: the caller answers
 * with `Connection: close`, so Node closes the socket once the answer is sent instead of buffering the remainder.
 */
export async function readBodyWithin(request: Request, limit: number): Promise<Uint8Array | null> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) return null;
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, total);
}

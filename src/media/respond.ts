import { createHash } from 'node:crypto';

/**
 * A response body rendered ahead of time, with its strong ETag and every header it needs, so
 * serving it is one object allocation: discovery documents change only when the registry does.
 */
export interface Rendered {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly etag: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly notModifiedHeaders: Readonly<Record<string, string>>;
}

export const render = (text: string, contentType: string): Rendered => {
  // A Buffer goes to the socket as is; a plain Uint8Array would be wrapped on every write.
  const body = Buffer.from(text, 'utf8') as Uint8Array<ArrayBuffer>;
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  return {
    body,
    etag,
    // No Content-Length: @hono/node-server sets it from the body without a header to process.
    headers: { 'Content-Type': contentType, ETag: etag, Vary: 'Accept' },
    notModifiedHeaders: { ETag: etag, Vary: 'Accept' },
  };
};

/** If-None-Match uses the weak comparison (RFC 9110 13.1.2): `W/` is ignored, `*` matches. */
export const matchesEtag = (ifNoneMatch: string, etag: string): boolean => {
  if (ifNoneMatch.trim() === '*') return true;
  for (const candidate of ifNoneMatch.split(',')) {
    const t = candidate.trim();
    if ((t.startsWith('W/') ? t.slice(2) : t) === etag) return true;
  }
  return false;
};

/** 200 with the bytes, or 304 when the client already holds them. */
export const sendRendered = (ifNoneMatch: string | undefined, r: Rendered, status = 200): Response =>
  ifNoneMatch !== undefined && matchesEtag(ifNoneMatch, r.etag)
    ? new Response(null, { status: 304, headers: r.notModifiedHeaders })
    : new Response(r.body, { status, headers: r.headers });

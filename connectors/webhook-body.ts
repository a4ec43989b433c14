/**
 * A webhook's body as every connector reads it: signatures are computed over the bytes exactly as received
 * (never over a decoding of them), and the JSON is read from those bytes decoded by the charset the request
 * declares (UTF-8 when it declares none), strictly: bytes that are not valid in that charset are refused
 * (ValidationError, 422), never turned into U+FFFD. Lone surrogates written as JSON escapes (`\ud800`)
 * become U+FFFD, so that what the hub stores and answers is readable by strict JSON clients.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { TextDecoder } from 'node:util';
import { ValidationError } from '../core/errors';
import { wellFormedReviver } from '../core/partner-input';
import type { RawWebhook } from '../core/ports';

/** The body's bytes exactly as received (a text body stands for its UTF-8 bytes). */
export const webhookBytes = (req: Pick<RawWebhook, 'body'>): Buffer =>
  (typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength));

/** What a signature covers: the parts, text as UTF-8 and bytes as they are, one after the other. */
export const signedContent = (...parts: (string | Uint8Array)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));

/**
 * The dedupe key of signed material: the same signed bytes under another (unsigned) delivery id are the same
 * delivery. `windowSeconds`: how long a signature over it is accepted (its timestamp tolerance).
 */
export const replayOf = (windowSeconds: number, ...parts: (string | Uint8Array)[]) =>
  ({ key: `signed:${createHash('sha256').update(signedContent(...parts)).digest('hex')}`, windowSeconds });

/**
 * Whether `offered` is one of `secrets` (a current one and those still valid while rotating), compared in
 * constant time: as SHA-256 digests, of equal length, so the time taken says nothing of either.
 */
export function isOneOfSecrets(secrets: readonly string[], offered: string | undefined): boolean {
  if (offered === undefined) return false;
  const digest = (v: string) => createHash('sha256').update(v, 'utf8').digest();
  const o = digest(offered);
  return secrets.some((s) => timingSafeEqual(digest(s), o));
}

/** The charset a content type declares (`application/json; charset=ISO-8859-1` → `iso-8859-1`), or utf-8. */
export function declaredCharset(contentType: string | undefined): string {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return (m?.[1] ?? 'utf-8').toLowerCase();
}

/** The body as text, decoded strictly by its declared charset; ValidationError when the bytes are not valid in it. */
export function webhookText(req: Pick<RawWebhook, 'body' | 'headers'>): string {
  if (typeof req.body === 'string') return req.body;
  const charset = declaredCharset(req.headers['content-type']);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
    return decoder.decode(req.body);
  } catch {
    // an unknown charset, or bytes not valid in it
    const problem = `is not readable as ${charset.slice(0, 40)}`;
    throw new ValidationError(`The webhook body ${problem} (declare the charset it is in; UTF-8 by default).`, [{ path: '(body)', message: problem }]);
  }
}

/** The body as JSON (strict decoding, then every string well-formed); ValidationError when it is not JSON. */
export function webhookJson(req: Pick<RawWebhook, 'body' | 'headers'>, what = 'The webhook body'): unknown {
  const text = webhookText(req);
  try { return JSON.parse(text, wellFormedReviver); } catch { throw new ValidationError(`${what} is not JSON.`); }
}

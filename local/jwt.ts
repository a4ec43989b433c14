/**
 * HS256 bearer tokens for the local runtime: it plays the part of API Gateway's JWT authorizer.
 * `exp` is required; the signature is compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type JwtResult = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string };

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

export function signJwt(claims: Record<string, unknown>, secret: string, expiresInSeconds = 3600, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ iat, exp: iat + expiresInSeconds, ...claims }));
  const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

export function verifyJwt(token: string, secret: string, now = Date.now()): JwtResult {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed token' };
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: unknown };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed token' };
  }
  if (header.alg !== 'HS256') return { ok: false, reason: 'unsupported algorithm' };
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad signature' };
  if (typeof claims !== 'object' || claims === null) return { ok: false, reason: 'malformed claims' };
  if (typeof claims.exp !== 'number') return { ok: false, reason: 'token has no exp' };
  if (claims.exp * 1000 <= now) return { ok: false, reason: 'token expired' };
  if (typeof claims.nbf === 'number' && claims.nbf * 1000 > now + 60_000) return { ok: false, reason: 'token not yet valid' };
  return { ok: true, claims };
}

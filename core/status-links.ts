/**
 * Short-lived signed links to a customer's status page, minted by an engineer. The token names one
 * customer and one case, and expires; it is HMAC-SHA256 signed with the hub's session key and compared
 * in constant time. The page turns a valid link into an HttpOnly session cookie carrying the same token.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The setting that holds the status-link key: `HUB_SESSION_SECRET`, or in AWS its secret's ARN in `HUB_SESSION_SECRET_ARN`. */
export const STATUS_LINK_KEY = 'HUB_SESSION_SECRET';

export interface StatusGrant { customerId: string; caseId: string; exp: number }

export function signStatusToken(grant: StatusGrant, key: string): string {
  const payload = Buffer.from(JSON.stringify({ c: grant.customerId, k: grant.caseId, e: grant.exp })).toString('base64url');
  const sig = createHmac('sha256', key).update(payload).digest('base64url');
  return `${payload}.${sig}`;
}

export function verifyStatusToken(token: string, key: string, now: Date): StatusGrant | undefined {
  const [payload, sig, extra] = token.split('.');
  if (!payload || !sig || extra !== undefined) return undefined;
  const expected = createHmac('sha256', key).update(payload).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const { c, k, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { c?: unknown; k?: unknown; e?: unknown };
    if (typeof c !== 'string' || typeof k !== 'string' || typeof e !== 'number' || e * 1000 <= now.getTime()) return undefined;
    return { customerId: c, caseId: k, exp: e };
  } catch {
    return undefined;
  }
}

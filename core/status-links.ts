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

/** What a token looks like, exactly: two base64url parts. Anything else (a `%0A` appended, a space) is no token. */
const TOKEN_FORM = /^[A-Za-z0-9_-]{1,2048}\.[A-Za-z0-9_-]{43}$/;

/**
 * The grant a token carries, or `undefined`. Only the exact form `signStatusToken` writes is read: Node's
 * base64url decoder skips characters outside its alphabet, so a valid token with a line break appended
 * used to verify, and the page then wrote that line break into its Set-Cookie header (a 500).
 */
export function verifyStatusToken(token: string, key: string, now: Date): StatusGrant | undefined {
  if (!TOKEN_FORM.test(token)) return undefined;
  const [payload, sig] = token.split('.') as [string, string];
  const given = Buffer.from(sig, 'base64url');
  // one spelling per signature (the last character's spare bits must be zero): what verifies is what was issued
  if (given.toString('base64url') !== sig) return undefined;
  const expected = createHmac('sha256', key).update(payload).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const { c, k, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { c?: unknown; k?: unknown; e?: unknown };
    if (typeof c !== 'string' || typeof k !== 'string' || typeof e !== 'number' || e * 1000 <= now.getTime()) return undefined;
    return { customerId: c, caseId: k, exp: e };
  } catch {
    return undefined;
  }
}

/**
 * The port the customer-view use cases sign and check grants through (core/use-cases/customer-view.ts):
 * who holds the key, and how a token is spelled, is the signer's business.
 */
export interface StatusLinkSigner {
  sign(grant: StatusGrant): string;
  /** The grant of a token that this signer issued and that has not expired at `now`, or `undefined`. */
  verify(token: string, now: Date): StatusGrant | undefined;
}

/** The signer of the deployed hub: HMAC-SHA256 with the status-link key. */
export const hmacStatusLinkSigner = (key: string): StatusLinkSigner => ({
  sign: (grant) => signStatusToken(grant, key),
  verify: (token, now) => verifyStatusToken(token, key, now),
});

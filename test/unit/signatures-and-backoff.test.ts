import { backoffDelayMs, parseRetryAfter } from '../../core/backoff';
import { signStandardWebhook, verifyStandardWebhook } from '../../connectors/standard-webhooks';
import { signJwt, verifyJwt } from '../../local/jwt';

describe('Standard Webhooks', () => {
  // the specification's own test vector (PARTNERS.md)
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const ts = 1614265330;
  const body = '{"test": 2432232314}';
  const now = new Date(ts * 1000);

  it('matches the official vector', () => {
    expect(signStandardWebhook(secret, id, ts, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies over the raw bytes: re-serialized JSON fails', () => {
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(secret, id, ts, body) };
    expect(verifyStandardWebhook([secret], headers, body, now)).toEqual({ ok: true, id });
    expect(verifyStandardWebhook([secret], headers, JSON.stringify(JSON.parse(body)), now).ok).toBe(false);
  });

  it('accepts any of several signatures and secrets (rotation)', () => {
    const old = 'whsec_' + Buffer.from('old-secret').toString('base64');
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,bm9wZQ== ${signStandardWebhook(old, id, ts, body)}` };
    expect(verifyStandardWebhook([secret, old], headers, body, now).ok).toBe(true);
    expect(verifyStandardWebhook([secret], headers, body, now).ok).toBe(false);
  });

  it('refuses stale, future, missing and malformed headers', () => {
    const sig = signStandardWebhook(secret, id, ts, body);
    const h = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sig };
    expect(verifyStandardWebhook([secret], h, body, new Date((ts + 301) * 1000)).ok).toBe(false);
    expect(verifyStandardWebhook([secret], h, body, new Date((ts - 301) * 1000)).ok).toBe(false);
    expect(verifyStandardWebhook([secret], h, body, new Date((ts + 299) * 1000)).ok).toBe(true);
    expect(verifyStandardWebhook([secret], { ...h, 'webhook-signature': undefined }, body, now).ok).toBe(false);
    expect(verifyStandardWebhook([secret], { ...h, 'webhook-timestamp': 'yesterday' }, body, now).ok).toBe(false);
  });
});

describe('backoff', () => {
  const policy = { maxAttempts: 8, initialDelayMs: 1000, maxDelayMs: 10000 };
  it('grows exponentially within jitter bounds and is capped', () => {
    expect(backoffDelayMs(policy, 1, undefined, 0)).toBe(500);
    expect(backoffDelayMs(policy, 1, undefined, 0.999)).toBeLessThanOrEqual(1000);
    expect(backoffDelayMs(policy, 3, undefined, 0)).toBe(2000);
    expect(backoffDelayMs(policy, 10, undefined, 0.999)).toBeLessThanOrEqual(10000);
  });
  it('never retries sooner than Retry-After', () => {
    expect(backoffDelayMs(policy, 1, 30000, 0)).toBe(30000);
  });
  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:01:00 GMT', now)).toBe(60000);
    // Graph's throttling answers fractional seconds (not RFC grammar): seconds, rounded up, never a date
    expect(parseRetryAfter('2.128', now)).toBe(2128);
    expect(parseRetryAfter('0.0004', now)).toBe(1);
    expect(parseRetryAfter('garbage', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('local bearer tokens (HS256)', () => {
  const secret = 'test-secret';
  it('round-trips claims and refuses forged, expired and exp-less tokens', () => {
    const t = signJwt({ sub: 'a', role: 'engineer' }, secret);
    const ok = verifyJwt(t, secret);
    expect(ok.ok && ok.claims.role).toBe('engineer');
    expect(verifyJwt(t, 'other').ok).toBe(false);
    expect(verifyJwt(signJwt({ sub: 'a' }, secret, -10), secret)).toEqual({ ok: false, reason: 'token expired' });
    const [h, , s] = t.split('.');
    const noExp = Buffer.from(JSON.stringify({ sub: 'a' })).toString('base64url');
    expect(verifyJwt(`${h}.${noExp}.${s}`, secret).ok).toBe(false);
    expect(verifyJwt('not-a-token', secret).ok).toBe(false);
  });
});

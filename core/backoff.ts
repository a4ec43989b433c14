/**
 * Retry timing for partner calls: exponential backoff with equal jitter (half the delay fixed, half random),
 * never sooner than Retry-After. Not full jitter (all of it random): with a handful of attempts a full-jitter
 * delay can come out near zero twice in a row and hit a partner that just asked for room.
 */

export interface RetryPolicy { maxAttempts: number; initialDelayMs: number; maxDelayMs: number }

/**
 * Delay before attempt `attempt + 1`, after `attempt` (1-based) failed.
 * `random` in [0, 1) is injected so tests are deterministic.
 */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  // half fixed, half random: delays still grow with each attempt
  const jittered = ceiling / 2 + random * (ceiling / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

/**
 * Parses a Retry-After header: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Graph sends fractional
 * seconds (`2.128`), outside the RFC's grammar: taken as seconds, rounded up (a date parser would read a year).
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

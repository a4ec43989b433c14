/**
 * A circuit breaker per partner (cockatiel) around every call a ticketing connector makes. After
 * `consecutiveFailures` transient failures in a row the circuit opens: calls fail fast, without touching
 * the partner, with a transient PartnerCallError whose `retryAfterMs` is the time left until the circuit
 * half-opens — so the worker's backoff waits for it. One trial call then closes or reopens the circuit.
 * Final answers (a 400, say) are the partner working as designed and never open the circuit.
 */
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import type { PartnerProfile } from '../core/config';
import { PartnerCallError } from '../core/errors';
import type { OutboundPort } from './kinds';

export interface PartnerBreaker {
  run<T>(call: () => Promise<T>): Promise<T>;
  readonly state: 'closed' | 'open' | 'half-open';
}

export function partnerBreaker(profile: Pick<PartnerProfile, 'id' | 'name' | 'circuitBreaker'>, now: () => number = Date.now): PartnerBreaker {
  const { consecutiveFailures, halfOpenAfterMs } = profile.circuitBreaker;
  const policy: CircuitBreakerPolicy = circuitBreaker(handleWhen((e) => e instanceof PartnerCallError && e.transient), {
    halfOpenAfter: halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(consecutiveFailures),
  });
  let openedAt = 0;
  policy.onBreak(() => { openedAt = now(); });
  return {
    async run(call) {
      try {
        return await policy.execute(call);
      } catch (err) {
        if (err instanceof BrokenCircuitError) {
          const left = Math.max(0, openedAt + halfOpenAfterMs - now());
          throw new PartnerCallError(`${profile.name}: circuit open after ${consecutiveFailures} failures in a row; not calling the partner`, true, undefined, left);
        }
        throw err;
      }
    },
    get state() {
      return policy.state === CircuitState.Closed ? 'closed' : policy.state === CircuitState.HalfOpen ? 'half-open' : 'open';
    },
  };
}

/**
 * The same partner calls, every one going through the partner's breaker. Each hands on all its arguments
 * (`...args`), so an option a call gains (a comment's `idempotencyKey`) reaches the connector.
 */
export function withCircuitBreaker(connector: OutboundPort<'ticketing'>, breaker: PartnerBreaker): OutboundPort<'ticketing'> {
  const guarded: OutboundPort<'ticketing'> = {
    ...connector,
    openIncident: (...args) => breaker.run(() => connector.openIncident(...args)),
    findByExternalRef: (...args) => breaker.run(() => connector.findByExternalRef(...args)),
    getIncident: (...args) => breaker.run(() => connector.getIncident(...args)),
    addComment: (...args) => breaker.run(() => connector.addComment(...args)),
  };
  const list = connector.listUpdatedSince;
  if (list) guarded.listUpdatedSince = (...args) => breaker.run(() => list.apply(connector, args));
  return guarded;
}

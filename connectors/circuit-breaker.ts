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

/** The same partner calls, every one going through the partner's breaker. */
export function withCircuitBreaker(connector: OutboundPort<'ticketing'>, breaker: PartnerBreaker): OutboundPort<'ticketing'> {
  const guarded: OutboundPort<'ticketing'> = {
    ...connector,
    openIncident: (input) => breaker.run(() => connector.openIncident(input)),
    findByExternalRef: (ref) => breaker.run(() => connector.findByExternalRef(ref)),
    getIncident: (id) => breaker.run(() => connector.getIncident(id)),
    addComment: (id, body) => breaker.run(() => connector.addComment(id, body)),
  };
  const list = connector.listUpdatedSince;
  if (list) guarded.listUpdatedSince = (cursor) => breaker.run(() => list.call(connector, cursor));
  return guarded;
}

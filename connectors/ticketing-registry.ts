/**
 * The registry of the functions that call partners' ticketing APIs (partner worker, comment forwarder,
 * poller): the ticketing connectors' HTTP halves (`<id>/ticketing.ts`, generated/ticketing.ts), each behind
 * its partner's circuit breaker, with webhooks refused (they are the webhook function's), and the
 * collaboration connectors' settings only (checked at start; no meeting calls, no webhooks), so that their
 * bundles carry no webhook verification and no Graph or Zoom code they never use. Joint calls are the API
 * function's (collaboration-registry.ts).
 */
import type { HubConfig } from '../core/config';
import type { ConnectorRegistry } from '../core/ports';
import { assembleRegistry, refusedWebhooks, settingsOnly, type KindBuilders } from './assemble-registry';
import { partnerBreaker, withCircuitBreaker } from './circuit-breaker';
import { TICKETING_HALVES } from './generated/ticketing';
import type { TicketingHalfOptions } from './halves';

/**
 * The ticketing connectors' partner calls, every one through the partner's circuit breaker; `options` go
 * to every HTTP half (the mail transport, for the `email` connector).
 */
export const ticketingCalls = (options: TicketingHalfOptions): KindBuilders<'ticketing'>['calls'] => (d, p) => {
  const calls = TICKETING_HALVES[d.id]!(p, options);
  return calls.mode === 'manual' ? calls : withCircuitBreaker(calls, partnerBreaker(p));
};

/** `mail`: how the `email` connector sends; without it, its partners' calls refuse (a deployment error). */
export function buildTicketingRegistry(config: HubConfig, options: TicketingHalfOptions = {}): ConnectorRegistry {
  return assembleRegistry(config, {
    ticketing: { calls: ticketingCalls(options), webhooks: refusedWebhooks('this function (partner worker, comment forwarder or poller) only calls partners') },
    collaboration: settingsOnly('collaboration'),
    serviceHealth: settingsOnly('serviceHealth'),
    desk: settingsOnly('desk'),
  });
}
/** The set of connectors it builds (topology/access.ts `connectors`): checked against the function's grant. */
buildTicketingRegistry.connectorSet = 'partner-calls' as const;

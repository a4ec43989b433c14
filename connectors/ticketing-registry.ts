/**
 * The registry of the functions that call partners' ticketing APIs (partner worker, comment forwarder,
 * poller): the ticketing connectors' HTTP halves (`<id>/ticketing.ts`, generated/ticketing.ts), each behind its partner's circuit
 * breaker, and the collaboration connectors' settings only (checked at start; no meeting calls, no
 * webhooks), so that their bundles carry no Graph or Zoom code they never use. Joint calls are the API
 * function's (collaboration-registry.ts).
 */
import type { HubConfig } from '../core/config';
import type { ConnectorRegistry } from '../core/ports';
import { assembleRegistry, settingsOnly, type Builders } from './assemble-registry';
import { partnerBreaker, withCircuitBreaker } from './circuit-breaker';
import { TICKETING_HALVES } from './generated/ticketing';


/** A ticketing connector whose every partner call goes through the partner's circuit breaker. */
export const ticketingWithBreaker: Builders['ticketing'] = (d, p) => {
  const connector = TICKETING_HALVES[d.id]!(p);
  return connector.mode === 'manual' ? connector : withCircuitBreaker(connector, partnerBreaker(p));
};

export function buildTicketingRegistry(config: HubConfig): ConnectorRegistry {
  return assembleRegistry(config, { ticketing: ticketingWithBreaker, collaboration: settingsOnly });
}

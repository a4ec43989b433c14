/**
 * The full connectors (partner calls and webhooks, ticketing and collaboration; service-health sources), built once from the
 * configuration: what the local runtime runs every function with. The Lambda functions each build only
 * the halves they use: ticketing-registry.ts (partner worker, status sync, comment forwarder), poller-registry.ts (poller),
 * collaboration-registry.ts (API, meeting subscriptions) and webhook-registry.ts (webhook);
 * test/unit/registries.test.ts keeps them in step with this one.
 */
import type { HubConfig } from '../core/config';
import type { ConnectorRegistry } from '../core/ports';
import { assembleRegistry, refusedWebhooks } from './assemble-registry';
import { collaborationCalls } from './collaboration-registry';
import { deskCalls } from './desk-registry';
import type { TicketingHalfOptions } from './halves';
import { ticketingCalls } from './ticketing-registry';
import { serviceHealthCalls } from './poller-registry';
import { deskInbound, inboundHalf } from './webhook-registry';

/**
 * Each connector's HTTP half with its inbound half; every partner call of an API ticketing connector goes
 * through the partner's circuit breaker. `options.mail`: how the `email` connector sends (buildTicketingRegistry).
 */
export function buildRegistry(config: HubConfig, options: TicketingHalfOptions = {}): ConnectorRegistry {
  return assembleRegistry(config, {
    ticketing: { calls: ticketingCalls(options), webhooks: inboundHalf },
    collaboration: { calls: collaborationCalls, webhooks: inboundHalf },
    serviceHealth: { calls: serviceHealthCalls, webhooks: refusedWebhooks('service-health sources send no webhooks') },
    desk: { calls: deskCalls, webhooks: deskInbound },
  });
}

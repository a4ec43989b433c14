/**
 * The registry of the API and meeting-subscriptions functions: the collaboration connectors' HTTP halves
 * (`<id>/collaboration.ts`, generated/collaboration.ts: they schedule joint calls and keep meeting
 * subscriptions), with webhooks refused (they are the webhook function's), and the ticketing connectors'
 * settings only, which tell a manual partner from an API one and refuse partner calls (these functions
 * never make one: opening, comments and polling run in their own functions, ticketing-registry.ts). Their
 * bundles so carry neither the ticketing clients, the circuit breaker, nor any webhook verification.
 */
import type { HubConfig } from '../core/config';
import type { ConnectorRegistry } from '../core/ports';
import { assembleRegistry, refusedWebhooks, settingsOnly, type KindBuilders } from './assemble-registry';
import { COLLABORATION_HALVES } from './generated/collaboration';

/** A collaboration connector's partner calls: joint calls and meeting subscriptions. */
export const collaborationCalls: KindBuilders<'collaboration'>['calls'] = (d, p) => COLLABORATION_HALVES[d.id]!(p);

export function buildCollaborationRegistry(config: HubConfig): ConnectorRegistry {
  return assembleRegistry(config, {
    ticketing: settingsOnly('ticketing'),
    collaboration: { calls: collaborationCalls, webhooks: refusedWebhooks('this function (API or meeting subscriptions) only calls meeting providers') },
    serviceHealth: settingsOnly('serviceHealth'),
    desk: settingsOnly('desk'),
  });
}
/** The set of connectors it builds (topology/access.ts `connectors`): checked against the function's grant. */
buildCollaborationRegistry.connectorSet = 'meetings' as const;

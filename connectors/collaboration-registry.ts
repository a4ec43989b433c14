/**
 * The registry of the API and meeting-subscriptions functions: the collaboration connectors' HTTP halves
 * (`<id>/collaboration.ts`, generated/collaboration.ts: they schedule joint calls and keep meeting subscriptions) and the ticketing
 * connectors' settings only, which tell a manual partner from an API one and refuse partner calls (these
 * functions never make one: opening, comments and polling run in their own functions,
 * ticketing-registry.ts). Their bundles so carry neither the ticketing clients nor the circuit breaker.
 */
import type { HubConfig } from '../core/config';
import type { ConnectorRegistry } from '../core/ports';
import { assembleRegistry, settingsOnly, type Builders } from './assemble-registry';
import { COLLABORATION_HALVES } from './generated/collaboration';

export const collaborationConnector: Builders['collaboration'] = (d, p) => COLLABORATION_HALVES[d.id]!(p);

export function buildCollaborationRegistry(config: HubConfig): ConnectorRegistry {
  return assembleRegistry(config, { ticketing: settingsOnly, collaboration: collaborationConnector });
}

/** The full connectors (partner calls and webhooks), by connector id, built once from the configuration. */
import type { HubConfig } from '../core/config';
import type { ConnectorRegistry } from '../core/ports';
import { assembleRegistry, type CollaborationFactory, type TicketingFactory } from './assemble-registry';
import { partnerBreaker, withCircuitBreaker } from './circuit-breaker';
import { genericRestConnector } from './generic-rest/connector';
import { manualConnector } from './manual/connector';
import { jiraConnector } from './jira/connector';
import { serviceNowConnector } from './servicenow/connector';
import { zendeskConnector } from './zendesk/connector';
import { teamsConnector } from './teams/connector';
import { zoomConnector } from './zoom/connector';

export type { CollaborationFactory, TicketingFactory } from './assemble-registry';

/** Ticketing connectors by id (the profile's `connector`). */
export const TICKETING_CONNECTORS: Record<string, TicketingFactory> = {
  'generic-rest': genericRestConnector,
  servicenow: (profile) => serviceNowConnector(profile),
  zendesk: zendeskConnector,
  jira: jiraConnector,
  manual: manualConnector,
};

/** Collaboration connectors by id (the profile's `collaboration.connector`). */
export const COLLABORATION_CONNECTORS: Record<string, CollaborationFactory> = {
  teams: teamsConnector,
  zoom: zoomConnector,
};

/** Every partner call of an API connector goes through the partner's circuit breaker. */
export function buildRegistry(
  config: HubConfig,
  ticketing: Record<string, TicketingFactory> = TICKETING_CONNECTORS,
  collaboration: Record<string, CollaborationFactory> = COLLABORATION_CONNECTORS,
): ConnectorRegistry {
  return assembleRegistry(config, ticketing, collaboration, (c, p) => (c.mode === 'manual' ? c : withCircuitBreaker(c, partnerBreaker(p))));
}

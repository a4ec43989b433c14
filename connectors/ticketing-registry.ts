/**
 * The registry of the functions that call partners' ticketing APIs (partner worker, comment forwarder,
 * poller): the full ticketing connectors, each behind its partner's circuit breaker, and the collaboration
 * connectors' settings only (validated at start, no meeting calls, no webhooks: settings-registry.ts), so
 * that their bundles carry no Graph or Zoom code they never use. Joint calls are the API function's (collaboration-registry.ts).
 */
import type { HubConfig } from '../core/config';
import type { ConnectorRegistry } from '../core/ports';
import { assembleRegistry, type CollaborationFactory, type TicketingFactory } from './assemble-registry';
import { partnerBreaker, withCircuitBreaker } from './circuit-breaker';
import { genericRestConnector } from './generic-rest/connector';
import { jiraConnector } from './jira/connector';
import { manualConnector } from './manual/connector';
import { serviceNowConnector } from './servicenow/connector';
import { COLLABORATION_SETTINGS } from './settings-registry';
import { zendeskConnector } from './zendesk/connector';

/** Ticketing connectors by id (the profile's `connector`). */
export const TICKETING_CONNECTORS: Record<string, TicketingFactory> = {
  'generic-rest': genericRestConnector,
  servicenow: (profile) => serviceNowConnector(profile),
  zendesk: zendeskConnector,
  jira: jiraConnector,
  manual: manualConnector,
};

/** Builds a registry whose ticketing connectors each call through their partner's circuit breaker. */
export function registryWithBreakers(
  config: HubConfig,
  ticketing: Record<string, TicketingFactory>,
  collaboration: Record<string, CollaborationFactory>,
): ConnectorRegistry {
  return assembleRegistry(config, ticketing, collaboration, (c, p) => (c.mode === 'manual' ? c : withCircuitBreaker(c, partnerBreaker(p))));
}

export function buildTicketingRegistry(config: HubConfig): ConnectorRegistry {
  return registryWithBreakers(config, TICKETING_CONNECTORS, COLLABORATION_SETTINGS);
}

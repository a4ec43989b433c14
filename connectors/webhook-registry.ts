/**
 * The connectors of the webhook function: each partner's webhook verification and parsing (the connectors'
 * `webhook.ts` halves), with the same settings validation and errors as `buildRegistry`, and no HTTP client:
 * the webhook function never calls a partner, so its bundle carries neither axios nor the circuit breaker.
 * Anything but verifying and parsing is a deployment error.
 */
import type { HubConfig, PartnerProfile } from '../core/config';
import { systemClock, type CollaborationConnector, type ConnectorRegistry, type TicketingConnector } from '../core/ports';
import { assembleRegistry, type CollaborationFactory, type TicketingFactory } from './assemble-registry';
import { genericRestSettings, genericRestWebhooks } from './generic-rest/webhook';
import { jiraSettings, jiraWebhooks } from './jira/webhook';
import { manualConnector } from './manual/connector';
import { noCalls as refuseCalls } from './settings-registry';
import { serviceNowSettings, serviceNowWebhooks } from './servicenow/webhook';
import { parseTeamsSettings, teamsWebhooks } from './teams/webhook';
import { zendeskSettings, zendeskWebhooks } from './zendesk/webhook';
import { parseZoomSettings, zoomWebhooks } from './zoom/webhook';

const noCalls = (profile: PartnerProfile) => async (): Promise<never> => refuseCalls(profile)();

/** A ticketing connector that verifies and parses webhooks, and refuses every partner call. */
export function inboundOnly(profile: PartnerProfile, webhooks: Pick<TicketingConnector, 'verifyWebhook' | 'parseWebhook'>): TicketingConnector {
  const refuse = noCalls(profile);
  return { openIncident: refuse, findByExternalRef: refuse, getIncident: refuse, addComment: refuse, ...webhooks };
}

/** A collaboration connector that verifies and parses webhooks, and refuses to schedule calls. */
export function inboundCollaboration(profile: PartnerProfile, webhooks: Pick<CollaborationConnector, 'provider' | 'verifyWebhook' | 'parseWebhook'>): CollaborationConnector {
  return { scheduleJointCall: noCalls(profile), ...webhooks };
}

/** The same ids as `TICKETING_CONNECTORS` (test/unit/webhook-registry.test.ts keeps them in step). */
export const TICKETING_WEBHOOKS: Record<string, TicketingFactory> = {
  'generic-rest': (p) => inboundOnly(p, genericRestWebhooks(genericRestSettings(p))),
  servicenow: (p) => inboundOnly(p, serviceNowWebhooks(serviceNowSettings(p))),
  zendesk: (p) => inboundOnly(p, zendeskWebhooks(zendeskSettings(p))),
  jira: (p) => inboundOnly(p, jiraWebhooks(jiraSettings(p))),
  manual: manualConnector,
};

/** The same ids as `COLLABORATION_CONNECTORS`. */
export const COLLABORATION_WEBHOOKS: Record<string, CollaborationFactory> = {
  teams: (settings, p) => inboundCollaboration(p, teamsWebhooks(parseTeamsSettings(settings, p.id), systemClock)),
  zoom: (settings, p) => inboundCollaboration(p, zoomWebhooks(parseZoomSettings(settings, p.id), systemClock)),
};

export function buildWebhookRegistry(config: HubConfig): ConnectorRegistry {
  return assembleRegistry(config, TICKETING_WEBHOOKS, COLLABORATION_WEBHOOKS);
}

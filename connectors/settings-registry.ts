/**
 * Connectors that only check their partner's settings at start and refuse everything else: for functions
 * that must know a partner is configured right (and whether it has an API) but never talk to it through
 * that connector. The API function validates the ticketing connectors this way (it never opens, comments,
 * polls or verifies webhooks: other functions do), and the partner-calling functions validate the
 * collaboration connectors (only the API function schedules joint calls). Their bundles then carry the
 * settings schemas (`<connector>/settings.ts`) and nothing of the HTTP or webhook halves.
 */
import type { PartnerProfile } from '../core/config';
import { ConfigError } from '../core/errors';
import type { CollaborationConnector, TicketingConnector } from '../core/ports';
import type { CollaborationFactory, TicketingFactory } from './assemble-registry';
import { genericRestSettings } from './generic-rest/settings';
import { jiraSettings } from './jira/settings';
import { manualConnector } from './manual/connector';
import { serviceNowSettings } from './servicenow/settings';
import { parseTeamsSettings } from './teams/settings';
import { zendeskSettings } from './zendesk/settings';
import { parseZoomSettings } from './zoom/settings';

/** What a connector that was not built for this use answers to any call: a deployment error, loudly. */
export const noCalls = (profile: PartnerProfile, what = 'this registry only verifies and parses webhooks') => (): never => {
  throw new ConfigError(`partner ${profile.id}: ${what}; partner calls are made by the functions that build the full registry (connectors/registry.ts)`);
};

/** A ticketing connector of a partner with an API whose settings were checked; every call refuses. */
function settingsOnly(profile: PartnerProfile, check: (p: PartnerProfile) => unknown): TicketingConnector {
  check(profile);
  const refuse = noCalls(profile, 'this function only checks the ticketing settings');
  return { openIncident: async () => refuse(), findByExternalRef: async () => refuse(), getIncident: async () => refuse(), addComment: async () => refuse(), verifyWebhook: refuse, parseWebhook: refuse };
}

/** A collaboration connector whose settings were checked; every call refuses. */
function settingsOnlyCollaboration(profile: PartnerProfile, provider: string, check: () => unknown): CollaborationConnector {
  check();
  const refuse = noCalls(profile, 'this function only checks the collaboration settings');
  return { provider, scheduleJointCall: async () => refuse(), verifyWebhook: refuse, parseWebhook: refuse };
}

/** The same ids as `TICKETING_CONNECTORS` (test/unit/webhook-registry.test.ts keeps them in step). */
export const TICKETING_SETTINGS: Record<string, TicketingFactory> = {
  'generic-rest': (p) => settingsOnly(p, genericRestSettings),
  servicenow: (p) => settingsOnly(p, serviceNowSettings),
  zendesk: (p) => settingsOnly(p, zendeskSettings),
  jira: (p) => settingsOnly(p, jiraSettings),
  manual: manualConnector,
};

/** The same ids as `COLLABORATION_CONNECTORS`. */
export const COLLABORATION_SETTINGS: Record<string, CollaborationFactory> = {
  teams: (settings, p) => settingsOnlyCollaboration(p, 'teams', () => parseTeamsSettings(settings, p.id)),
  zoom: (settings, p) => settingsOnlyCollaboration(p, 'zoom', () => parseZoomSettings(settings, p.id)),
};

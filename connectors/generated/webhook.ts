// Written by `npm run connectors` (scripts/generate-connectors.ts) from connectors/catalog.ts: do not edit.
import type { AnyWebhookHalf } from '../halves';
import { genericRestInbound } from '../generic-rest/webhook';
import { serviceNowInbound } from '../servicenow/webhook';
import { zendeskInbound } from '../zendesk/webhook';
import { jiraInbound } from '../jira/webhook';
import { manualInbound } from '../manual/webhook';
import { teamsInbound } from '../teams/webhook';
import { zoomInbound } from '../zoom/webhook';
import { tsanetInbound } from '../tsanet/webhook';
import { emailInbound } from '../email/webhook';

/** The webhook halves, by connector id. */
export const WEBHOOK_HALVES: Readonly<Record<string, AnyWebhookHalf>> = {
  'generic-rest': genericRestInbound,
  servicenow: serviceNowInbound,
  zendesk: zendeskInbound,
  jira: jiraInbound,
  manual: manualInbound,
  teams: teamsInbound,
  zoom: zoomInbound,
  tsanet: tsanetInbound,
  email: emailInbound,
};

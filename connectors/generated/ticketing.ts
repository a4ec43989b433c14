// Written by `npm run connectors` (scripts/generate-connectors.ts) from connectors/catalog.ts: do not edit.
import type { TicketingHttpHalf } from '../halves';
import { genericRestConnector } from '../generic-rest/ticketing';
import { serviceNowConnector } from '../servicenow/ticketing';
import { zendeskConnector } from '../zendesk/ticketing';
import { jiraConnector } from '../jira/ticketing';
import { manualConnector } from '../manual/ticketing';
import { tsanetConnector } from '../tsanet/ticketing';
import { emailConnector } from '../email/ticketing';

/** The ticketing halves, by connector id. */
export const TICKETING_HALVES: Readonly<Record<string, TicketingHttpHalf>> = {
  'generic-rest': genericRestConnector,
  servicenow: serviceNowConnector,
  zendesk: zendeskConnector,
  jira: jiraConnector,
  manual: manualConnector,
  tsanet: tsanetConnector,
  email: emailConnector,
};

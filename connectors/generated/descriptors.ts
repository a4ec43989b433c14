// Written by `npm run connectors` (scripts/generate-connectors.ts) from connectors/catalog.ts: do not edit.
import type { AnyDescriptor } from '../kinds';
import { genericRest } from '../generic-rest/descriptor';
import { serviceNow } from '../servicenow/descriptor';
import { zendesk } from '../zendesk/descriptor';
import { jira } from '../jira/descriptor';
import { manual } from '../manual/descriptor';
import { teams } from '../teams/descriptor';
import { zoom } from '../zoom/descriptor';
import { tsanet } from '../tsanet/descriptor';
import { email } from '../email/descriptor';
import { microsoft365 } from '../microsoft365/descriptor';
import { statuspage } from '../statuspage/descriptor';
import { zendeskDesk } from '../zendesk-desk/descriptor';
import { salesforceDesk } from '../salesforce-desk/descriptor';

/** Every connector's descriptor, in the order of connectors/catalog.ts. */
export const CATALOG: readonly AnyDescriptor[] = [genericRest, serviceNow, zendesk, jira, manual, teams, zoom, tsanet, email, microsoft365, statuspage, zendeskDesk, salesforceDesk];

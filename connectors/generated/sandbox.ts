// Written by `npm run connectors` (scripts/generate-connectors.ts) from connectors/catalog.ts: do not edit.
import type { AnySandboxHalf } from '../halves';
import { genericSandboxFactory } from '../generic-rest/sandbox';
import { serviceNowSandboxFactory } from '../servicenow/sandbox';
import { zendeskSandboxFactory } from '../zendesk/sandbox';
import { jiraSandboxFactory } from '../jira/sandbox';
import { teamsSandboxFactory } from '../teams/sandbox';
import { zoomSandboxFactory } from '../zoom/sandbox';
import { tsanetSandboxFactory } from '../tsanet/sandbox';
import { emailSandboxFactory } from '../email/sandbox';
import { microsoft365Sandbox } from '../microsoft365/sandbox';
import { statuspageSandbox } from '../statuspage/sandbox';
import { zendeskDeskSandbox } from '../zendesk-desk/sandbox';
import { salesforceDeskSandbox } from '../salesforce-desk/sandbox';

/** The sandbox halves, by connector id. */
export const SANDBOX_HALVES: Readonly<Record<string, AnySandboxHalf>> = {
  'generic-rest': genericSandboxFactory,
  servicenow: serviceNowSandboxFactory,
  zendesk: zendeskSandboxFactory,
  jira: jiraSandboxFactory,
  teams: teamsSandboxFactory,
  zoom: zoomSandboxFactory,
  tsanet: tsanetSandboxFactory,
  email: emailSandboxFactory,
  'microsoft365': microsoft365Sandbox,
  statuspage: statuspageSandbox,
  'zendesk-desk': zendeskDeskSandbox,
  'salesforce-desk': salesforceDeskSandbox,
};

/**
 * Sandboxes by connector id, for the local runtime and the tests only: kept apart from the registry so
 * that no Lambda bundle carries a sandbox.
 */
import type { SandboxFactory } from './sandbox';
import { genericSandboxFactory } from './generic-rest/sandbox';
import { jiraSandboxFactory } from './jira/sandbox';
import { serviceNowSandboxFactory } from './servicenow/sandbox';
import { zendeskSandboxFactory } from './zendesk/sandbox';
import { teamsSandboxFactory } from './teams/sandbox';
import { zoomSandboxFactory } from './zoom/sandbox';

/** Sandboxes by connector id (ticketing and collaboration alike). */
export const SANDBOXES: Record<string, SandboxFactory> = {
  'generic-rest': genericSandboxFactory,
  servicenow: serviceNowSandboxFactory,
  zendesk: zendeskSandboxFactory,
  jira: jiraSandboxFactory,
  teams: teamsSandboxFactory,
  zoom: zoomSandboxFactory,
};

/**
 * The one list of connectors. Everything else is derived from it: `npm run connectors` writes
 * connectors/generated/ from it (the descriptors, and one table per half, so that each Lambda bundle
 * imports only the halves it uses), and from those come the registries of each function, the sandboxes,
 * the examples test and the table in docs/connectors.md (test/unit/connector-catalog.test.ts fails while
 * any of them is out of step).
 */

/** Every connector, by its folder under connectors/: adding a connector is its folder and one line here. */
export const CONNECTOR_IDS = ['generic-rest', 'servicenow', 'zendesk', 'jira', 'manual', 'teams', 'zoom', 'tsanet', 'email', 'microsoft365', 'statuspage', 'zendesk-desk', 'salesforce-desk'] as const;

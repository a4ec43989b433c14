/** The Zendesk desk the desk e2e tests configure: the README's trigger body and mapping, against a desk sandbox. */
export const DESK_CREDENTIALS = { email: 'hub-api@vendor.example', apiToken: 'desk-token' };
export const DESK_TICKET_FIELDS = { ticketNumberField: 360000000001, statusField: 360000000002 };

/** A `desks` entry `vendor-zendesk` for the desk sandbox at `baseUrl`, its trigger signed with `webhookSecret`. */
export const zendeskDesk = (baseUrl: string, webhookSecret: string) => ({
  id: 'vendor-zendesk', connector: 'zendesk-desk', baseUrl, credentials: DESK_CREDENTIALS, webhookSecret,
  mapping: {
    caseId: '/ticket/id', customerId: '/ticket/organization_external_id', platform: '/ticket/platform',
    severity: { pointer: '/ticket/priority', values: { urgent: 'critical', high: 'high', normal: 'medium', low: 'low' } },
    summary: '/ticket/title', findings: '/ticket/description', partnerRelated: { pointer: '/ticket/tags', contains: 'partner_related' },
  },
  writeBack: DESK_TICKET_FIELDS,
});

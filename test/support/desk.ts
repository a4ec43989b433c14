import type { SalesforceDeskMapping } from '../../connectors/salesforce-desk/descriptor';
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

/** The Salesforce desk the tests configure: README's custom fields and mapping, against a desk sandbox. */
export const SF_CREDENTIALS = { clientId: '3MVG9sandbox.consumer.key', clientSecret: 'sandbox-consumer-secret' };
export const SF_ORG = '00D5g000004SFDCEAA';
export const SF_HUB_USER = '0055g00000HUBusAAC';
export const SF_WRITE_BACK = { ticketNumberField: 'Partner_Ticket_Number__c', statusField: 'Partner_Status__c' };
export const SF_MAPPING: SalesforceDeskMapping = {
  caseId: 'Id', customerId: 'Account_External_Id__c', platform: 'Partner_Platform__c',
  severity: { field: 'Priority', values: { Critical: 'critical', High: 'high', Medium: 'medium', Low: 'low' } },
  summary: 'Subject', findings: 'Description', partnerRelated: { field: 'Partner_Related__c', equals: 'true' },
};

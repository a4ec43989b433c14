/**
 * `jira`: a Jira Service Management customer request in the partner's site
 * (https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/).
 *
 * - Auth: Basic `{email}:{apiToken}` (an Atlassian API token). The account must be able to raise requests
 *   in `serviceDeskId` and to browse the project (JQL search, below): an agent, not a portal-only customer.
 * - Create: `POST /rest/servicedeskapi/request` `{ serviceDeskId, requestTypeId, requestFieldValues: { summary,
 *   description, labels } }` → `issueId`, `issueKey` (the ticket number), `currentStatus`, `_links.web`.
 * - No duplicates (JSM has no idempotency key, and a failed create can still consume an issue): the hub's
 *   reference becomes the label `jiraLabelFor(externalRef)` (`hub:esc_01J…` → `hub-esc_01J…`: labels
 *   take no spaces and a colon would need quoting everywhere). With `labelVia: "request"` (default) the
 *   label is part of the create itself, which needs the Labels field on the request type's form; with
 *   `labelVia: "issue"` it is added right after the create with `PUT /rest/api/3/issue/{id}` (request types
 *   without the field; a crash between the two calls is then not covered). `findByExternalRef` searches
 *   JQL `labels = "<label>"` (`GET /rest/api/3/search/jql`) before any re-create.
 * - Status: names, case-insensitive, by `JIRA_DEFAULT_STATUS_MAP` overlaid with the profile's `statusMap`;
 *   a name in neither maps to `null` (recorded, never applied).
 * - Webhooks: admin webhooks saved with a secret, `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw
 *   body)>`, deduplicated on `X-Atlassian-Webhook-Identifier` (stable across Jira's retries). The body's
 *   `timestamp` (ms, signed with the body) must be within `webhookToleranceSeconds` (default 300) in the
 *   past and five minutes in the future. Status from the changelog of `jira:issue_updated`
 *   (`changelog.items[]` with field `status`, `toString`), else `issue.fields.status.name`.
 */
import * as z from 'zod';
import type { PartnerIncident } from '../../core/ports';
import { defineHttpHalf } from '../halves';
import { call, expectResponse, partnerClient } from '../partner-http';
import { jira } from './descriptor';
import { jiraStatusMapper, jiraTime } from './mapping';

/** The label that carries the hub's reference: characters a label cannot hold become `-`. */
export const jiraLabelFor = (externalRef: string): string => externalRef.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 255);

const scalar = z.union([z.string(), z.number()]).transform(String);
const JsmDate = z.object({ iso8601: z.string().optional(), epochMillis: z.number().optional() });
const JsmRequest = z.object({
  issueId: scalar,
  issueKey: z.string().min(1),
  createdDate: JsmDate.optional(),
  currentStatus: z.object({ status: z.string().min(1), statusCategory: z.string().optional(), statusDate: JsmDate.optional() }),
  _links: z.object({ web: z.string().optional() }).optional(),
}).transform((r, ctx) => {
  const d = r.currentStatus.statusDate ?? r.createdDate;
  const t = d?.epochMillis ?? (d?.iso8601 ? jiraTime(d.iso8601) : Number.NaN);
  if (Number.isNaN(t)) { ctx.addIssue({ code: 'custom', message: 'the request carries no status date' }); return z.NEVER; }
  return { ...r, updatedAt: new Date(t).toISOString() };
});
type JsmRequest = z.infer<typeof JsmRequest>;
const SearchResult = z.object({ issues: z.array(z.object({ id: scalar, key: z.string() })) });

export const jiraConnector = defineHttpHalf(jira, (s, profile) => {
  const base = profile.baseUrl.replace(/\/$/, '');
  const auth = Buffer.from(`${s.credentials.email}:${s.credentials.apiToken}`).toString('base64');
  const http = partnerClient(base, { authorization: `Basic ${auth}`, 'content-type': 'application/json' }, profile);
  const mapStatus = jiraStatusMapper(s.statusMap);

  const toIncident = (r: JsmRequest): PartnerIncident => ({
    id: r.issueId,
    number: r.issueKey,
    url: r._links?.web ?? `${base}/browse/${r.issueKey}`,
    status: mapStatus(r.currentStatus.status),
    partnerStatus: r.currentStatus.status,
    updatedAt: r.updatedAt,
  });
  const getRequest = async (issueIdOrKey: string) =>
    toIncident(expectResponse('get request', await http.get(`/rest/servicedeskapi/request/${encodeURIComponent(issueIdOrKey)}`), [200], JsmRequest));

  return {
    openIncident: (input) => call('open request', async () => {
      const label = jiraLabelFor(input.externalRef);
      const body = {
        serviceDeskId: s.serviceDeskId,
        requestTypeId: s.requestTypeId,
        requestFieldValues: {
          summary: input.title.slice(0, 255),
          description: `${input.description}\n\nCase ${input.caseId} (customer ${input.customerId}); hub reference ${input.externalRef}`,
          ...(s.labelVia === 'request' ? { labels: [label] } : {}),
        },
        ...(s.raiseOnBehalfOf ? { raiseOnBehalfOf: s.raiseOnBehalfOf } : {}),
      };
      const created = toIncident(expectResponse('open request', await http.post('/rest/servicedeskapi/request', body), [200, 201], JsmRequest));
      if (s.labelVia === 'issue') {
        // the request exists whatever happens here: a failed label only weakens a later find, so it is not an error
        await http.put(`/rest/api/3/issue/${encodeURIComponent(created.id)}`, { update: { labels: [{ add: label }] } }).catch(() => undefined);
      }
      return created;
    }),

    findByExternalRef: (ref) => call('find request', async () => {
      const res = await http.get('/rest/api/3/search/jql', {
        params: { jql: `labels = "${jiraLabelFor(ref)}" ORDER BY created ASC`, fields: 'status,updated,labels', maxResults: '5' },
      });
      const first = expectResponse('find request', res, [200], SearchResult).issues[0];
      return first ? getRequest(first.id) : undefined;
    }),

    getIncident: (ticketId) => call('get request', () => getRequest(ticketId)),

    // JSM's comment API takes no idempotency key: the hub's claim sends each comment once; only a lost
    // answer (the partner added it, the hub never heard) can repeat one
    addComment: (ticketId, body) => call('add comment', async () => {
      const res = await http.post(`/rest/servicedeskapi/request/${encodeURIComponent(ticketId)}/comment`, { body, public: true });
      expectResponse('add comment', res, [200, 201], z.unknown());
    }),
  };
});

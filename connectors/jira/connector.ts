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
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { PartnerProfile } from '../../core/config';
import { PARTNER_STATUSES, type PartnerStatus } from '../../core/escalation';
import { ValidationError } from '../../core/errors';
import type { InboundUpdate, PartnerIncident, RawWebhook, TicketingConnector, WebhookVerdict } from '../../core/ports';
import { parseOrThrow } from '../../core/schemas';
import { call, expectResponse, partnerClient } from '../partner-http';
import { parseSettings } from '../settings';

/** Status names of the JSM templates (IT service management, general service), lower case. */
export const JIRA_DEFAULT_STATUS_MAP: Readonly<Record<string, PartnerStatus>> = {
  open: 'open', new: 'open', 'to do': 'open', reopened: 'open',
  'waiting for support': 'in_progress', 'in progress': 'in_progress', 'work in progress': 'in_progress', escalated: 'in_progress', 'under investigation': 'in_progress',
  'waiting for customer': 'awaiting_info', pending: 'awaiting_info',
  resolved: 'resolved', done: 'resolved', completed: 'resolved',
  closed: 'closed', canceled: 'closed', cancelled: 'closed', declined: 'closed',
};

export const jiraStatusMapper = (overrides: Record<string, PartnerStatus> = {}) => {
  const map = new Map<string, PartnerStatus>(Object.entries(JIRA_DEFAULT_STATUS_MAP));
  for (const [name, status] of Object.entries(overrides)) map.set(name.trim().toLowerCase(), status);
  return (name: string): PartnerStatus | null => map.get(name.trim().toLowerCase()) ?? null;
};

/** The label that carries the hub's reference: characters a label cannot hold become `-`. */
export const jiraLabelFor = (externalRef: string): string => externalRef.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 255);

/** `sha256=` + hex HMAC-SHA256 of the raw body, keyed with the webhook secret. */
export const signJiraWebhook = (secret: string, body: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
const scalar = z.union([z.string(), z.number()]).transform(String);
/** Jira writes offsets without a colon (`+0000`); ISO parsers want `+00:00`. */
export const jiraTime = (s: string): number => Date.parse(s.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));

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

/** ADF (Atlassian Document Format) to plain text: comments arrive as ADF in some webhook versions. */
function adfText(node: unknown): string {
  if (typeof node === 'string') return node;
  if (node === null || typeof node !== 'object') return '';
  const n = node as { type?: unknown; text?: unknown; content?: unknown };
  if (typeof n.text === 'string') return n.text;
  const inner = Array.isArray(n.content) ? n.content.map(adfText).join('') : '';
  return n.type === 'paragraph' ? `${inner}\n` : inner;
}

export const JiraWebhookBody = z.object({
  timestamp: z.number().optional(),
  webhookEvent: z.string().min(1),
  issue: z.object({
    id: scalar,
    key: z.string().min(1),
    fields: z.object({
      status: z.object({ name: z.string() }).optional(),
      updated: z.string().optional(),
    }).optional(),
  }),
  changelog: z.object({
    // `toString` is read as an own property only: every object inherits a `toString` function
    items: z.array(z.preprocess(
      (v) => (v !== null && typeof v === 'object' ? { ...v, to: Object.hasOwn(v, 'toString') ? (v as { toString: unknown }).toString : undefined } : v),
      z.object({ field: z.string(), fieldId: z.string().optional(), to: z.string().nullable().optional() }),
    )),
  }).optional(),
  comment: z.object({
    body: z.unknown(),
    author: z.object({ emailAddress: z.string().optional() }).optional(),
  }).optional(),
});

const id = z.union([z.string().regex(/^\d+$/, 'must be a numeric id'), z.number().int().positive()]).transform(String);
export const JiraSettings = z.object({
  credentials: z.object({
    email: z.email({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be an email address') }),
    apiToken: z.string({ error: 'is required' }).min(1, 'is required'),
  }),
  serviceDeskId: id.optional().refine((v) => v !== undefined, 'is required'),
  requestTypeId: id.optional().refine((v) => v !== undefined, 'is required'),
  webhookSecret: z.string().min(1).optional(),
  previousWebhookSecrets: z.array(z.string().min(1)).optional(),
  /** Status name (any case) → hub status, over the defaults. */
  statusMap: z.record(z.string(), z.enum(PARTNER_STATUSES)).optional(),
  labelVia: z.enum(['request', 'issue']).default('request'),
  /** Raise the request for this customer (account id or email) instead of the API user. */
  raiseOnBehalfOf: z.string().min(1).optional(),
  /** How old a webhook's `timestamp` may be. Jira retries failed deliveries for longer than five minutes. */
  webhookToleranceSeconds: z.number().int().min(60).max(7 * 24 * 3600).default(300),
});
export type JiraSettings = z.infer<typeof JiraSettings>;

export function jiraSettings(profile: PartnerProfile): JiraSettings {
  return parseSettings(JiraSettings, profile, profile.id, 'jira');
}

export function verifyJiraSignature(secrets: readonly string[], header: string | undefined, body: string): boolean {
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec((header ?? '').trim());
  if (!m) return false;
  const offered = Buffer.from(m[1]!.toLowerCase(), 'hex');
  return secrets.some((secret) => {
    const expected = Buffer.from(signJiraWebhook(secret, body).slice(7), 'hex');
    return expected.length === offered.length && timingSafeEqual(expected, offered);
  });
}

export function jiraConnector(profile: PartnerProfile): TicketingConnector {
  const s = jiraSettings(profile);
  const base = profile.baseUrl.replace(/\/$/, '');
  const auth = Buffer.from(`${s.credentials.email}:${s.credentials.apiToken}`).toString('base64');
  const http = partnerClient(base, { authorization: `Basic ${auth}`, 'content-type': 'application/json' }, profile);
  const secrets = s.webhookSecret ? [s.webhookSecret, ...(s.previousWebhookSecrets ?? [])] : [];
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

    addComment: (ticketId, body) => call('add comment', async () => {
      const res = await http.post(`/rest/servicedeskapi/request/${encodeURIComponent(ticketId)}/comment`, { body, public: true });
      expectResponse('add comment', res, [200, 201], z.unknown());
    }),

    verifyWebhook(req: RawWebhook, now: Date): WebhookVerdict {
      if (secrets.length === 0) return { kind: 'rejected', reason: 'no webhookSecret is configured for this Jira partner' };
      if (!req.headers['x-hub-signature']) return { kind: 'rejected', reason: 'missing X-Hub-Signature' };
      if (!verifyJiraSignature(secrets, req.headers['x-hub-signature'], req.body)) return { kind: 'rejected', reason: 'no signature matches' };
      // the signature covers no delivery time: the body's own (signed) timestamp bounds replays
      let ts: unknown;
      try { ts = (JSON.parse(req.body) as { timestamp?: unknown }).timestamp; } catch { return { kind: 'rejected', reason: 'the body is not JSON' }; }
      if (typeof ts !== 'number') return { kind: 'rejected', reason: 'the body carries no timestamp' };
      const age = now.getTime() - ts;
      if (age > s.webhookToleranceSeconds * 1000 || -age > FUTURE_TOLERANCE_MS) return { kind: 'rejected', reason: 'the webhook timestamp is outside the tolerance' };
      const delivery = req.headers['x-atlassian-webhook-identifier']?.trim();
      return { kind: 'ok', deliveryId: delivery || `sha256:${createHash('sha256').update(req.body).digest('hex')}` };
    },

    parseWebhook(req: RawWebhook): InboundUpdate[] {
      let json: unknown;
      try { json = JSON.parse(req.body); } catch { throw new ValidationError('The webhook body is not JSON.'); }
      const b = parseOrThrow(JiraWebhookBody, json, 'Jira webhook body');
      const change = b.changelog?.items.find((i) => i.field.toLowerCase() === 'status' || i.fieldId === 'status');
      const name = change?.to ?? b.issue.fields?.status?.name;
      if (!name) throw new ValidationError('The Jira webhook body is not valid: it carries no status (changelog or issue.fields.status).', [{ path: 'issue.fields.status', message: 'missing' }]);
      const at = b.timestamp ?? (b.issue.fields?.updated ? jiraTime(b.issue.fields.updated) : Number.NaN);
      if (Number.isNaN(at)) throw new ValidationError('The Jira webhook body is not valid: it carries no time (timestamp or issue.fields.updated).', [{ path: 'timestamp', message: 'missing' }]);
      const own = b.comment?.author?.emailAddress?.toLowerCase() === s.credentials.email.toLowerCase();
      const comment = b.comment && !own ? adfText(b.comment.body).trim().slice(0, 10000) : '';
      return [{
        ticketId: b.issue.id,
        ticketNumber: b.issue.key,
        status: mapStatus(name),
        partnerStatus: name,
        updatedAt: new Date(at).toISOString(),
        ...(comment ? { comment } : {}),
      }];
    },
  };
}

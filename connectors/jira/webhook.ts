/**
 * `jira`, inbound half: Jira's signed admin webhooks (see ticketing.ts for the whole protocol; statuses
 * and times read as mapping.ts says). No HTTP client here: the webhook function verifies and parses with
 * this module alone (webhook-registry.ts).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ValidationError } from '../../core/errors';
import type { InboundUpdate, RawWebhook, TicketingConnector, WebhookVerdict } from '../../core/ports';
import { parseOrThrow } from '../../core/schemas';
import { verifyHubSignature } from '../hub-signature';
import { replayOf, webhookBytes, webhookJson } from '../webhook-body';
import { defineWebhookHalf } from '../halves';
import { jira, JiraSettings } from './descriptor';
import { jiraStatusMapper, jiraTime } from './mapping';

export { JiraSettings };

/** Jira's admin-webhook signature (`X-Hub-Signature`): connectors/hub-signature.ts. */
export { signHubSignature as signJiraWebhook, verifyHubSignature as verifyJiraSignature } from '../hub-signature';

const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
const scalar = z.union([z.string(), z.number()]).transform(String);

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

/** Verifies and parses Jira webhooks (any of the current and previous secrets; statuses mapped by the profile's `statusMap`). */
export function jiraWebhooks(s: JiraSettings): Pick<TicketingConnector, 'verifyWebhook' | 'parseWebhook'> {
  const secrets = s.webhookSecret ? [s.webhookSecret, ...(s.previousWebhookSecrets ?? [])] : [];
  const mapStatus = jiraStatusMapper(s.statusMap);
  return {
    verifyWebhook(req: RawWebhook, now: Date): WebhookVerdict {
      if (secrets.length === 0) return { kind: 'rejected', reason: 'no webhookSecret is configured for this Jira partner' };
      if (!req.headers['x-hub-signature']) return { kind: 'rejected', reason: 'missing X-Hub-Signature' };
      const bytes = webhookBytes(req);
      if (!verifyHubSignature(secrets, req.headers['x-hub-signature'], bytes)) return { kind: 'rejected', reason: 'no signature matches' };
      // the signature covers no delivery time: the body's own (signed) timestamp bounds replays
      const json = webhookJson(req); // authentic, but not readable: 422
      const ts = json !== null && typeof json === 'object' ? (json as { timestamp?: unknown }).timestamp : undefined;
      if (typeof ts !== 'number') return { kind: 'rejected', reason: 'the body carries no timestamp' };
      const age = now.getTime() - ts;
      if (age > s.webhookToleranceSeconds * 1000 || -age > FUTURE_TOLERANCE_MS) return { kind: 'rejected', reason: 'the webhook timestamp is outside the tolerance' };
      // the identifier is not signed: the signed body is deduped too (`replay`), for as long as its timestamp is accepted
      const delivery = req.headers['x-atlassian-webhook-identifier']?.trim();
      return {
        kind: 'ok', deliveryId: delivery || `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
        replay: replayOf(s.webhookToleranceSeconds + FUTURE_TOLERANCE_MS / 1000, bytes),
      };
    },

    parseWebhook(req: RawWebhook): InboundUpdate[] {
      const json = webhookJson(req);
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

export const jiraInbound = defineWebhookHalf(jira, jiraWebhooks);

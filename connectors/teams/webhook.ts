/**
 * `teams` (collaboration), inbound half: Graph change notifications (validation handshake,
 * `clientState` check, meeting events); see collaboration.ts for the whole protocol. No HTTP client here: the
 * webhook function verifies and parses with this module alone (webhook-registry.ts).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ValidationError } from '../../core/errors';
import type { Clock, CollaborationConnector, CollaborationEvent, RawWebhook, SubscriptionLifecycleEvent, WebhookVerdict } from '../../core/ports';
import { isOneOfSecrets, webhookJson } from '../webhook-body';
import { defineWebhookHalf } from '../halves';
import { teams, TeamsSettings, subscriptionsRoot } from './descriptor';

export { TeamsSettings, subscriptionsRoot };

/** A validation token longer than this is not Graph's (they are short opaque strings). */
const VALIDATION_TOKEN_MAX = 1024;

/** One change notification (Graph `changeNotification`); unknown fields pass through. */
const ChangeNotification = z.looseObject({
  subscriptionId: z.string().min(1),
  clientState: z.string().optional(),
  changeType: z.string().optional(),
  resource: z.string().optional(),
  tenantId: z.string().optional(),
  subscriptionExpirationDateTime: z.string().optional(),
  /** Lifecycle notifications (reauthorizationRequired, subscriptionRemoved, missed) carry this instead of a resource. */
  lifecycleEvent: z.string().optional(),
  resourceData: z.looseObject({}).optional(),
});
const NotificationCollection = z.looseObject({ value: z.array(ChangeNotification).min(1) });
type ChangeNotification = z.infer<typeof ChangeNotification>;

/** Graph's meeting call events (`resourceData.eventType`) in the hub's vocabulary. */
const EVENT_TYPES: Record<string, string> = {
  'Microsoft.Communication.CallStarted': 'meeting.started',
  'Microsoft.Communication.CallEnded': 'meeting.ended',
  'Microsoft.Communication.CallRosterUpdate': 'meeting.roster_updated',
};

/** JSON with object keys sorted at every level: the same content gives the same bytes, whoever serialized it. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * Graph sends no delivery id, and a retried notification is re-serialized by Graph, so the raw bytes are
 * not a safe key. The id is a hash of the notifications' content in canonical form (sorted keys), leaving
 * out `subscriptionExpirationDateTime`, which changes when the subscription is renewed between retries.
 * Two distinct meeting events differ at least in `resourceData.eventDateTime`.
 */
export function graphDeliveryId(items: ChangeNotification[], now?: Date): string {
  const stable = items.map(({ subscriptionExpirationDateTime: _renewed, ...rest }) => rest);
  // a lifecycle notification has nothing that tells one occurrence from the next (a second
  // reauthorizationRequired a day later is byte-for-byte the same): its id also names the minute received
  const lifecycle = now && items.some((n) => n.lifecycleEvent !== undefined) ? `@${now.toISOString().slice(0, 16)}` : '';
  return 'graph:' + createHash('sha256').update(canonicalJson(stable) + lifecycle).digest('hex');
}

/**
 * The meeting a notification is about. Graph names it by id (`.../onlineMeetings/{id}`,
 * `onlineMeetings('{id}')`) or, for meeting call events, only by its join URL
 * (`communications/onlineMeetings?$filter=joinWebUrl eq '{url}'` or `onlineMeetings(joinWebUrl='{url}')`):
 * then the join URL is the meeting id, and it equals the `joinUrl` the hub got from createOrGet.
 */
export function meetingRef(n: ChangeNotification): { meetingId: string; joinWebUrl?: string } | undefined {
  const candidates = [n.resource, typeof n.resourceData?.id === 'string' ? n.resourceData.id : undefined, typeof n.resourceData?.['@odata.id'] === 'string' ? n.resourceData['@odata.id'] : undefined];
  for (const c of candidates) {
    if (!c) continue;
    const byUrl = c.match(/joinWebUrl(?:(?:[\s+]|%20)+eq(?:[\s+]|%20)+|=)(?:'([^']+)'|%27(.+?)%27)/i);
    if (byUrl) {
      // the URL may stand as it is (it already contains %-escapes) or be URL-encoded once more
      const raw = byUrl[1] ?? byUrl[2]!;
      const url = /^https?%3a/i.test(raw) ? safeDecode(raw) : raw;
      return { meetingId: url, joinWebUrl: url };
    }
    const byId = c.match(/onlineMeetings(?:\('([^']+)'\)|\/([^/?()]+))/);
    if (byId) return { meetingId: safeDecode(byId[1] ?? byId[2]!) };
  }
  const plainId = n.resourceData?.id;
  if (typeof plainId === 'string' && /^[A-Za-z0-9_\-=:.]+$/.test(plainId)) return { meetingId: plainId };
  return undefined;
}

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

/** Answers Graph's validation handshake, checks `clientState`, and reads meeting events from notifications. */
export function teamsWebhooks(cfg: TeamsSettings, clock: Clock): Pick<CollaborationConnector, 'provider' | 'verifyWebhook' | 'parseWebhook' | 'lifecycleEvents'> {
  return {
    provider: 'teams',

    verifyWebhook(req: RawWebhook, now?: Date): WebhookVerdict {
      const token = req.query.validationToken;
      if (token !== undefined) {
        // the transport has already URL-decoded query values: echo the token as it is
        if (token.length === 0 || token.length > VALIDATION_TOKEN_MAX) return { kind: 'rejected', reason: 'validationToken is empty or too long' };
        return { kind: 'challenge', status: 200, contentType: 'text/plain', body: token };
      }
      let json: unknown;
      try { json = webhookJson(req); } catch { return { kind: 'rejected', reason: 'the body is not JSON (UTF-8)' }; }
      const parsed = NotificationCollection.safeParse(json);
      if (!parsed.success) return { kind: 'rejected', reason: 'the body is not a Graph change notification collection' };
      const items = parsed.data.value;
      if (!items.every((n) => isOneOfSecrets([cfg.clientState], n.clientState))) {
        return { kind: 'rejected', reason: 'clientState does not match' };
      }
      return { kind: 'ok', deliveryId: graphDeliveryId(items, now ?? clock.now()) };
    },

    parseWebhook(req: RawWebhook): CollaborationEvent[] {
      const json = webhookJson(req, 'The notification body');
      const parsed = NotificationCollection.safeParse(json);
      if (!parsed.success) throw new ValidationError('The body is not a Graph change notification collection.');
      const events: CollaborationEvent[] = [];
      for (const n of parsed.data.value) {
        // lifecycle notifications are about the subscription, not a meeting
        if (n.lifecycleEvent !== undefined || n.resource === undefined) continue;
        const ref = meetingRef(n);
        if (!ref) throw new ValidationError(`Cannot tell which meeting the notification is about (resource ${n.resource.slice(0, 200)}).`);
        const data = n.resourceData ?? {};
        const eventType = typeof data.eventType === 'string' ? data.eventType : undefined;
        const at = typeof data.eventDateTime === 'string' && !Number.isNaN(Date.parse(data.eventDateTime))
          ? new Date(data.eventDateTime).toISOString() : clock.now().toISOString();
        const joined = data['activeParticipants@joined'];
        const exited = data['activeParticipants@exited'];
        events.push({
          meetingId: ref.meetingId,
          type: (eventType && EVENT_TYPES[eventType]) ?? `meeting.${n.changeType ?? 'updated'}`,
          at,
          // counts only: participant identities are personal data and stay out of the timeline
          detail: {
            provider: 'teams',
            ...(eventType ? { eventType } : {}),
            ...(n.changeType ? { changeType: n.changeType } : {}),
            ...(ref.joinWebUrl ? { joinWebUrl: ref.joinWebUrl } : {}),
            ...(typeof data.state === 'string' ? { state: data.state } : {}),
            ...(Array.isArray(joined) ? { participantsJoined: joined.length } : {}),
            ...(Array.isArray(exited) ? { participantsExited: exited.length } : {}),
          },
        });
      }
      return events;
    },

    /** Lifecycle notifications (`lifecycleEvent`: reauthorizationRequired, subscriptionRemoved, missed) of a verified delivery. */
    lifecycleEvents(req: RawWebhook): SubscriptionLifecycleEvent[] {
      let json: unknown;
      try { json = webhookJson(req, 'The notification body'); } catch { return []; }
      const parsed = NotificationCollection.safeParse(json);
      if (!parsed.success) return [];
      return parsed.data.value
        .filter((n) => n.lifecycleEvent !== undefined)
        .map((n) => ({ subscriptionId: n.subscriptionId, event: n.lifecycleEvent! }));
    },
  };
}

export const teamsInbound = defineWebhookHalf(teams, (s, _profile, clock) => teamsWebhooks(s, clock));

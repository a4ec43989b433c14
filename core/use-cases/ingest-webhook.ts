import { partnerById, QUEUES, type Needs } from '../deps';
import { InvalidSignatureError, NotFoundError } from '../errors';
import type { DeliveryStore, InboundUpdate, RawWebhook, WebhookReplayGuard } from '../ports';

/** How long a delivery id is remembered (partners retry for hours, not weeks). */
export const DELIVERY_TTL_SECONDS = 7 * 24 * 3600;

export interface InboundMessage {
  partnerId: string;
  deliveryId: string;
  updates: InboundUpdate[];
  /** Set when the sweep sent the stored delivery again: its how-many-th re-drive (the sweep has set when to look next). */
  redrive?: number;
}

export type IngestResult =
  | { kind: 'accepted' | 'duplicate'; deliveryId: string }
  | { kind: 'challenge'; status: number; contentType: string; body: string };

/**
 * Takes a partner webhook in.
 * Steps: find the partner; let its connector verify the signature over the raw bytes (or answer a
 * handshake); parse the updates; where the delivery id is not signed, what is signed identifies the
 * delivery too (the same signed bytes under a new delivery id are a duplicate: deliveryMarks); remember the
 * delivery id with the updates (a delivery seen before is acknowledged, not applied twice); enqueue for
 * status sync and answer at once (takeDelivery).
 */
export async function ingestWebhook(deps: Needs<'config' | 'connectors' | 'clock' | 'queue', DeliveryStore>, partnerId: string, raw: RawWebhook): Promise<IngestResult> {
  const partner = partnerById(deps.config, partnerId);
  const connector = deps.connectors.ticketing(partnerId);
  if (!partner || !connector) throw new NotFoundError(`No partner "${partnerId}" is configured.`);
  const now = deps.clock.now();
  const verdict = connector.verifyWebhook(raw, now);
  if (verdict.kind === 'rejected') throw new InvalidSignatureError(`Webhook signature rejected: ${verdict.reason}`);
  if (verdict.kind === 'challenge') return verdict;
  const updates = connector.parseWebhook(raw);
  const message: InboundMessage = { partnerId, deliveryId: verdict.deliveryId, updates };
  // what is signed is remembered once the delivery is stored (takeDelivery): from then on the sweep answers for it
  const taken = await takeOnce(deps, partnerId, replayMarks(verdict.replay), now, () => takeDelivery(deps, message, now));
  return { kind: taken.seen ? 'duplicate' : taken.value, deliveryId: verdict.deliveryId };
}

/**
 * The tail every inbound path shares (webhooks, partner mail): remembers the delivery id with its updates
 * (a delivery seen before is a duplicate, not applied twice) and enqueues it for status sync, which applies
 * a partner's deliveries in order. If the enqueue fails, the delivery is forgotten again so that the
 * partner's retry is taken; if the process dies before or after answering, the stored delivery is due in
 * the open-work index and the sweep enqueues it again.
 */
export async function takeDelivery(
  deps: Needs<'queue', DeliveryStore>, message: InboundMessage, now: Date,
): Promise<'accepted' | 'duplicate'> {
  const fresh = await deps.store.markDeliverySeen(message.partnerId, message.deliveryId, message.updates, now, DELIVERY_TTL_SECONDS);
  if (!fresh) return 'duplicate';
  try {
    await deps.queue.send({ queue: QUEUES.inbound, body: message });
  } catch (err) {
    await deps.store.forgetDelivery(message.partnerId, message.deliveryId).catch(() => undefined);
    throw err;
  }
  return 'accepted';
}

/** A key an inbound path remembers, for how long. */
export interface Remembered { key: string; ttlSeconds: number }

/**
 * What identifies a delivery: its id (`prefix` + delivery id, for a week), and where the connector says that
 * id is not signed, what is signed (for twice the signature's window: a timestamp may be that far ahead,
 * then that far behind).
 */
export const deliveryMarks = (prefix: string, verdict: { deliveryId: string; replay?: WebhookReplayGuard | undefined }): Remembered[] => [
  { key: `${prefix}${verdict.deliveryId}`, ttlSeconds: DELIVERY_TTL_SECONDS }, ...replayMarks(verdict.replay),
];
const replayMarks = (replay: WebhookReplayGuard | undefined): Remembered[] => (replay ? [{ key: replay.key, ttlSeconds: 2 * replay.windowSeconds }] : []);

/**
 * The guard of inbound work done inline, not queued, and harmless to repeat (desk events, joint-call events:
 * each write is idempotent): seen before under any of `keys` → `seen`; else `work` runs, and only then are
 * the keys remembered. Remembering first would lose the work to a crash half-way (the sender's retry would
 * be a duplicate); remembering after costs at most a repeat, which the work absorbs. Concurrent copies of
 * one delivery both pass, for the same reason.
 */
export async function takeOnce<T>(
  deps: Needs<never, DeliveryStore>, owner: string, keys: readonly Remembered[], now: Date, work: () => Promise<T>,
): Promise<{ seen: true } | { seen: false; value: T }> {
  const seenBefore = await Promise.all(keys.map((k) => deps.store.wasSeen(owner, k.key, now)));
  if (seenBefore.some(Boolean)) return { seen: true };
  const value = await work();
  await Promise.all(keys.map((k) => deps.store.markSignedSeen(owner, k.key, now, k.ttlSeconds)));
  return { seen: false, value };
}

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
 * handshake); parse the updates; where the delivery id is not signed, remember what is (guardReplay: the
 * same signed bytes under a new delivery id are a duplicate); remember the delivery id with the updates (a
 * delivery seen before is acknowledged, not applied twice); enqueue for status sync and answer at once
 * (takeDelivery).
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
  const replay = await guardReplay(deps, partnerId, verdict.replay, now);
  if (replay === 'seen') return { kind: 'duplicate', deliveryId: verdict.deliveryId };
  return { kind: await takeDelivery(deps, message, now, replay.forget), deliveryId: verdict.deliveryId };
}

/**
 * The tail every inbound path shares (webhooks, partner mail): remembers the delivery id with its updates
 * (a delivery seen before is a duplicate, not applied twice) and enqueues it for status sync, which applies
 * a partner's deliveries in order. If the enqueue fails, the delivery is forgotten again (and `undo` undoes
 * the caller's own marks) so that the partner's retry is taken; if the process dies after answering, the
 * stored delivery is due in the open-work index and the sweep enqueues it again.
 */
export async function takeDelivery(
  deps: Needs<'queue', DeliveryStore>, message: InboundMessage, now: Date, undo: () => Promise<void> = async () => {},
): Promise<'accepted' | 'duplicate'> {
  const fresh = await deps.store.markDeliverySeen(message.partnerId, message.deliveryId, message.updates, now, DELIVERY_TTL_SECONDS);
  if (!fresh) return 'duplicate';
  try {
    await deps.queue.send({ queue: QUEUES.inbound, body: message });
  } catch (err) {
    await deps.store.forgetDelivery(message.partnerId, message.deliveryId).catch(() => undefined);
    await undo();
    throw err;
  }
  return 'accepted';
}

/**
 * The replay guard on signed material, shared by every webhook endpoint: where a connector says its delivery
 * id is not signed (`verdict.replay`), the digest of what is signed is remembered for twice the signature's
 * window (a timestamp may be that far ahead, then that far behind), and seen again it is a duplicate,
 * whatever delivery id it comes with. `forget` undoes the mark when the delivery could not be taken in.
 */
export async function guardReplay(deps: Needs<never, DeliveryStore>, partnerId: string, replay: WebhookReplayGuard | undefined, now: Date): Promise<'seen' | { forget(): Promise<void> }> {
  if (!replay) return { forget: async () => {} };
  if (!(await deps.store.markSignedSeen(partnerId, replay.key, now, 2 * replay.windowSeconds))) return 'seen';
  return { forget: () => deps.store.forgetDelivery(partnerId, replay.key).catch(() => undefined) };
}

/**
 * The vendor's own desk (`desks`): a flag from a desk event, and the hub's writes back to the desk case.
 *
 * Loops: the desk's trigger fires on updates not made through the API (Zendesk `current_via_id is_not 5`),
 * and the hub writes only through the API (tagging `hub_synced`): its writes never come back as events. An
 * event that does come again (a retry, a replay, an agent's later edit) finds the case's escalation:
 * flagging is idempotent per case and partner.
 */
import type { Needs } from '../deps';
import { QUEUES } from '../deps';
import type { Escalation } from '../escalation';
import { ConflictError, InvalidSignatureError, NoRouteError, NotFoundError, PartnerCallError, ValidationError } from '../errors';
import type { EventType } from '../events';
import type { DeliveryStore, DeskConnector, DeskEvent, DeskWriteBack, EscalationRecords, RawWebhook, ServiceHealthStore, TimelineStore } from '../ports';
import { isHttpUrl } from '../partner-input';
import { CreateEscalationRequest, FINDINGS_MAX, SUMMARY_MAX } from '../schemas';
import { DELIVERY_TTL_SECONDS, deliveryMarks, takeOnce } from './ingest-webhook';
import { mutateEscalation } from './mutate-escalation';
import { flagEscalation } from './flag-escalation';

/**
 * A write to a desk case, on the `desk-writeback` queue (`escalationId`: whose timeline records a final
 * failure; `once`: the change it writes, remembered once written, so that it is written once).
 */
export interface DeskWriteMessage { deskId: string; caseId: string; update: DeskWriteBack; escalationId?: string; once?: string; deferrals?: number }

/** How many times a throttled write is put back after its `Retry-After` before the queue's retries and DLQ take over. */
export const MAX_DESK_DEFERRALS = 10;

export type DeskEventResult =
  | { status: 'flagged' | 'already-flagged'; escalationId: string }
  | { status: 'ignored'; reason: string }
  | { status: 'not-flagged'; problems: string[] }
  | { status: 'duplicate' };

/** A delivery taken: what became of each event it carried, and the answer its desk expects (absent: the hub's JSON). */
export interface DeskDeliveryResult { results: DeskEventResult[]; acknowledge?: { contentType: string; body: string } | undefined }

/** Where a desk's deliveries are remembered (the webhook deliveries' items, under a key no partner id can take: ids have no `:`). */
const deliveriesOf = (deskId: string) => `desk:${deskId}`;

/** The engineer-only note that says why a flag was not taken: the engineers fix the ticket and tag it again. */
const problemNote = (problems: readonly string[]): DeskWriteBack => ({
  comment: { public: false, body: `The partner escalation hub did not flag this ticket:\n${problems.map((p) => `- ${p}`).join('\n')}\nFix the fields and tag the ticket again.` },
});

type DeskDeps = Needs<'config' | 'bus' | 'clock' | 'newId' | 'log' | 'connectors' | 'queue', EscalationRecords & DeliveryStore & TimelineStore & ServiceHealthStore>;

/**
 * Takes a desk delivery in.
 * Steps: find the desk; verify the signature over the raw bytes; a delivery id (or signed bytes) seen
 * before is a duplicate; read its events with the desk's mapping, and take each (takeOneDeskEvent) unless
 * its own event id was seen before. Each is remembered only once taken (takeOnce): a crash half-way leaves
 * the delivery unseen and the desk's retry is taken; taking an event again is harmless (one escalation per
 * case and partner; at worst a second engineer-only note).
 */
export async function takeDeskEvent(deps: DeskDeps, deskId: string, raw: RawWebhook): Promise<DeskDeliveryResult> {
  const desk = deps.connectors.desk?.(deskId);
  if (!desk) throw new NotFoundError(`No desk "${deskId}" is configured.`);
  const now = deps.clock.now();
  const verdict = desk.verifyEvent(raw, now);
  if (verdict.kind === 'rejected') throw new InvalidSignatureError(`Desk event signature rejected: ${verdict.reason}`);
  if (verdict.kind === 'challenge') throw new ValidationError('A desk event is never a handshake.');
  const events = desk.readEvents(raw);
  const acknowledge = desk.acknowledge?.(raw);
  const seen = deliveriesOf(deskId);
  const taken = await takeOnce(deps, seen, deliveryMarks('id:', verdict), now, async () => {
    const results: DeskEventResult[] = [];
    for (const event of events) {
      // the desk's own id of the event: the same notification in a later delivery is a duplicate
      const keys = event.eventId !== undefined ? [{ key: `event:${event.eventId}`, ttlSeconds: DELIVERY_TTL_SECONDS }] : [];
      const one = await takeOnce(deps, seen, keys, now, () => takeOneDeskEvent(deps, deskId, event));
      results.push(one.seen ? { status: 'duplicate' } : one.value);
    }
    return results;
  });
  return { results: taken.seen ? [{ status: 'duplicate' }] : taken.value, acknowledge };
}

/**
 * One event of a delivery: not partner-related → ignored; a field missing or unmappable, or a flag `POST
 * /v1/escalations` would refuse (no partner for the platform, a required field, another customer's case) →
 * no escalation, and the problems written to the case as an engineer-only note (through the write-back
 * queue); else the escalation, as `POST /v1/escalations` creates it (one per case and partner),
 * remembering the desk (linkDesk, for a case flagged before through the API).
 */
async function takeOneDeskEvent(deps: DeskDeps, deskId: string, event: DeskEvent): Promise<DeskEventResult> {
  if (event.kind === 'ignored') return { status: 'ignored', reason: event.reason };
  const caseId = event.caseId;
  const refused = async (why: string[]): Promise<DeskEventResult> => {
    deps.log.warn('desk event not flagged', { deskId, problems: why });
    if (caseId) await deps.queue.send({ queue: QUEUES.deskWriteback, body: { deskId, caseId, update: problemNote(why) } satisfies DeskWriteMessage });
    return { status: 'not-flagged', problems: why };
  };
  if (event.kind !== 'flag') return refused(event.problems);
  const input = CreateEscalationRequest.safeParse({ caseId: event.caseId, ...event.flag, summary: cut(event.flag.summary, SUMMARY_MAX, '…'), findings: cut(event.flag.findings, FINDINGS_MAX, `\n[cut by the hub: the desk's text is ${event.flag.findings.length} characters]`) });
  if (!input.success) return refused(input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  try {
    const r = await flagEscalation(deps, input.data, `desk:${deskId}`, { deskId });
    if (!r.created) await linkDesk(deps, r.escalation, deskId);
    return { status: r.created ? 'flagged' : 'already-flagged', escalationId: r.escalation.escalationId };
  } catch (err) {
    if (err instanceof NoRouteError || err instanceof ValidationError || err instanceof ConflictError) {
      return refused(err.details?.length ? err.details.map((d) => `${d.path}: ${d.message}`) : [err.message]);
    }
    throw err;
  }
}

/**
 * A desk's text cut to fit a flag's field (a Salesforce subject holds 255 characters, a description 32,000),
 * at a character (not inside a surrogate pair), ending with `mark`: the engineers cannot be asked to
 * shorten what the customer wrote.
 */
function cut(text: string, max: number, mark: string): string {
  if (text.length <= max) return text;
  let end = max - mark.length;
  if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end--;
  return text.slice(0, end) + mark;
}

/**
 * A case flagged before through the API (or the CLI) and now from its desk: the escalation remembers the
 * desk, so that from now on its changes are written back, and a partner ticket it already has is written
 * at once (as a PartnerIncidentOpened event, read when written: never older than what follows it).
 */
async function linkDesk(deps: DeskDeps, e: Escalation, deskId: string): Promise<void> {
  if (e.deskId) return;
  const r = await mutateEscalation(deps.store, e.escalationId, (cur) => (cur.deskId ? undefined : { ...cur, deskId }), deps.clock.now(), { known: e, keepDue: true });
  if (!r?.changed) return;
  deps.log.info('escalation linked to its desk case', { deskId });
  if (r.after.partnerTicket) {
    await deps.queue.send({ queue: QUEUES.deskWriteback, body: deskEventBody({ type: 'PartnerIncidentOpened', escalationId: e.escalationId }) });
  }
}

const statusWord = (s: string) => s.replace(/_/g, ' ');

/** A partner incident as its event names it (KnownIncidentConfirmed, ConfirmedIncidentResolved): the partner's own fields. */
export interface EventIncident { id: string; title: string; status: string; url?: string | undefined }
/**
 * A domain event routed to the `desk-writeback` queue: its id (the bus's: the same on a redelivery), whose
 * escalation, a status change's new status (`to`), an aging's threshold and deadline, a known incident's events which incident.
 */
export interface DeskEventMessage {
  type: EventType; escalationId: string; eventId?: string | undefined;
  to?: string | undefined; aging?: { threshold: string; deadline: string } | undefined; incident?: EventIncident | undefined;
  deferrals?: number | undefined;
}

/** The event as the bus routes it to the queue (the body functions/desk-writeback.ts reads): to put it back, deferred. */
export function deskEventBody(m: DeskEventMessage) {
  return {
    ...(m.eventId !== undefined ? { id: m.eventId } : {}),
    'detail-type': m.type,
    detail: {
      escalationId: m.escalationId,
      ...(m.to !== undefined ? { to: m.to } : {}),
      ...(m.aging ? { threshold: m.aging.threshold, deadline: m.aging.deadline } : {}),
      ...(m.incident ? { incidentId: m.incident.id, title: m.incident.title, status: m.incident.status, ...(m.incident.url !== undefined ? { url: m.incident.url } : {}) } : {}),
    },
  };
}

/**
 * The change an event writes, as remembered once written: the escalation's one-time changes by what they
 * are (a re-announced opening is the same change), a status change by the bus's event id.
 */
function changeKey(m: DeskEventMessage): string | undefined {
  const of = `write:${m.escalationId}:`;
  switch (m.type) {
    case 'PartnerIncidentOpened':
    case 'PartnerTicketRecorded': return `${of}opened`;
    case 'EscalationReferred': return `${of}referred`;
    case 'EscalationAged': return m.aging ? `${of}aged:${m.aging.threshold}:${m.aging.deadline}` : undefined;
    case 'KnownIncidentConfirmed': return m.incident ? `${of}incident:${m.incident.id}:confirmed` : undefined;
    case 'ConfirmedIncidentResolved': return m.incident ? `${of}incident:${m.incident.id}:resolved` : undefined;
    default: return m.eventId ? `${of}event:${m.eventId}` : undefined;
  }
}

/**
 * A confirmed known incident, as the customer sees it: the partner's id, title, status and http(s) link.
 * From the event, not the escalation: both events are announced before the escalation is written.
 */
function knownIncidentComment(e: Escalation, i: EventIncident | undefined, resolved: boolean): DeskWriteBack | undefined {
  if (!i) return undefined;
  const link = isHttpUrl(i.url) ? ` Details: ${i.url}` : '';
  const body = resolved
    ? `${e.partnerName} has resolved its incident ${i.id} "${i.title}" (status: ${i.status}).`
    : `This case is affected by the ${e.partnerName} incident ${i.id} "${i.title}" (status: ${i.status}).`;
  return { comment: { public: true, body: `${body}${link}` } };
}

/**
 * What a domain event writes to the desk case of an escalation flagged from a desk: the partner ticket's
 * number and the escalation's status in the desk's fields, and a comment. Customer-visible comments carry
 * customer-safe text only (the partner, its ticket number, the status, a referral's customer-facing
 * instructions, a confirmed known incident's id, title, status and link); findings, engineers and the
 * timeline never leave the hub. `undefined`: nothing to write.
 */
export function deskUpdateFor(type: EventType, e: Escalation, incident?: EventIncident): DeskWriteBack | undefined {
  const number = e.partnerTicket?.number;
  const fields = { ...(number ? { ticketNumber: number } : {}), status: statusWord(e.status) };
  switch (type) {
    case 'PartnerIncidentOpened':
    case 'PartnerTicketRecorded':
      return { ...fields, comment: { public: true, body: `${e.partnerName} opened ticket ${number ?? '(number pending)'} for this case. Status: ${statusWord(e.status)}.` } };
    case 'PartnerStatusChanged':
      return { ...fields, comment: { public: true, body: `${number ? `${e.partnerName} ticket ${number}` : `The ${e.partnerName} ticket`} is now ${statusWord(e.status)}.` } };
    case 'EscalationReferred':
      return { ...fields, comment: { public: true, body: e.referral?.instructions ?? `Please contact ${e.partnerName} directly about this case.` } };
    case 'EscalationAged':
      return { comment: { public: false, body: `The escalation to ${e.partnerName} passed its aging threshold (status: ${statusWord(e.status)}).` } };
    case 'KnownIncidentConfirmed':
      return knownIncidentComment(e, incident, false);
    case 'ConfirmedIncidentResolved':
      return knownIncidentComment(e, incident, true);
    default:
      return undefined;
  }
}

/**
 * Applies one message of the `desk-writeback` queue.
 * Steps: for a domain event, read the escalation and skip it unless it came from a desk; skip a change
 * already written (changeKey: a redelivered or re-announced event), and a status change the escalation has
 * since moved past (its own event writes the newer status: the case's comments never go back in time);
 * write to the desk case (the fields from the escalation's current state, the comment from the event);
 * remember the change once written; a throttled desk (`Retry-After`) gets the write again after that delay
 * (re-queued, still to be remembered); a final failure (the case was deleted) is recorded on the
 * escalation's timeline and not retried; other failures throw (queue retries, then DLQ).
 */
export async function writeBackToDesk(
  deps: Needs<'config' | 'connectors' | 'queue' | 'log' | 'clock', EscalationRecords & TimelineStore & DeliveryStore>,
  message: DeskWriteMessage | DeskEventMessage,
): Promise<'written' | 'skipped' | 'deferred' | 'failed'> {
  let write: DeskWriteMessage;
  if ('deskId' in message) {
    write = message;
  } else {
    const e = await deps.store.getEscalation(message.escalationId);
    const update = e?.deskId ? deskUpdateFor(message.type, e, message.incident) : undefined;
    if (!e?.deskId || !update) return 'skipped';
    if (message.type === 'PartnerStatusChanged' && message.to !== undefined && message.to !== e.status) return 'skipped';
    const once = changeKey(message);
    write = { deskId: e.deskId, caseId: e.caseId, update, escalationId: e.escalationId, ...(once ? { once } : {}) };
  }
  const desk = deps.connectors.desk?.(write.deskId);
  if (!desk) throw new NotFoundError(`No desk "${write.deskId}" is configured.`);
  const ledger = deliveriesOf(write.deskId);
  const now = deps.clock.now();
  if (write.once && (await deps.store.wasSeen(ledger, write.once, now))) return 'skipped';
  const outcome = await attemptDeskWrite(deps, desk, write, message, now);
  // a write made, or one that failed for good, is done with: the same change again would fail alike, or write
  // again what part of it wrote; after the write: a crash in between writes the change again (at least once:
  // the desk has no idempotency key)
  if (outcome !== 'deferred' && write.once) await deps.store.markSignedSeen(ledger, write.once, now, DELIVERY_TTL_SECONDS);
  return outcome;
}

/** One write to the desk case: made, put back after the desk's `Retry-After`, or failed for good (recorded). */
async function attemptDeskWrite(
  deps: Needs<'queue' | 'log', TimelineStore>, desk: DeskConnector, write: DeskWriteMessage, message: DeskWriteMessage | DeskEventMessage, now: Date,
): Promise<'written' | 'deferred' | 'failed'> {
  try {
    await desk.writeBack(write.caseId, write.update);
    return 'written';
  } catch (err) {
    if (!(err instanceof PartnerCallError)) throw err;
    const deferrals = message.deferrals ?? 0;
    // a desk that keeps throttling: the queue's own retries, then its DLQ (a re-queued write starts at receive 1)
    if (err.transient && err.retryAfterMs !== undefined && deferrals < MAX_DESK_DEFERRALS) {
      // an event's write is worked out again when it comes back: a newer change written meanwhile supersedes it
      const again = 'deskId' in message ? { ...write, deferrals: deferrals + 1 } : { ...deskEventBody(message), deferrals: deferrals + 1 };
      await deps.queue.send({ queue: QUEUES.deskWriteback, body: again, delayMs: err.retryAfterMs });
      return 'deferred';
    }
    if (err.transient) throw err;
    deps.log.error('desk write-back failed for good', { deskId: write.deskId, caseId: write.caseId, error: err.message });
    if (write.escalationId) {
      await deps.store.appendTimeline(write.escalationId, { at: now.toISOString(), type: 'desk_writeback_failed', actor: 'hub', detail: { deskId: write.deskId, error: err.message } });
    }
    return 'failed';
  }
}

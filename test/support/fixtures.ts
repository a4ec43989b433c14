/** Shared test helpers: unique ids, escalation drafts, an in-memory bus and queue, a fixed clock. */
import { randomBytes } from 'node:crypto';
import type { HubConfig } from '../../core/config';
import { parseHubConfig } from '../../core/config';
import type { Escalation } from '../../core/escalation';
import type { HubEvent } from '../../core/events';
import type { Clock, EscalationStore, EventBus, QueueMessage, WorkQueue } from '../../core/ports';

export const uid = (prefix = 'T') => `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

export function draftEscalation(over: Partial<Escalation> = {}): Escalation {
  const now = new Date().toISOString();
  return {
    escalationId: uid('esc'), caseId: uid('CASE'), customerId: 'acme', partnerId: 'acme-cloud', partnerName: 'Acme Cloud',
    platform: 'acme', status: 'requested', severity: 'high', summary: 'Calls drop', product: null,
    partnerTicket: null, referral: null, createdAt: now, updatedAt: now, createdBy: 'eng-1', openedAt: null,
    partnerUpdatedAt: null, partnerUpdateRank: 0, attempts: 0, nextAttemptAt: null, leaseUntil: null, redrivenAt: null,
    lastError: null, version: 1, ...over,
  };
}

export class RecordingBus implements EventBus {
  readonly events: HubEvent[] = [];
  async publish(events: HubEvent[]) { this.events.push(...events); }
}

export class RecordingQueue implements WorkQueue {
  readonly messages: QueueMessage[] = [];
  async send(m: QueueMessage) { this.messages.push(m); }
}

export class FakeClock implements Clock {
  constructor(private t = Date.parse('2026-11-25T10:00:00.000Z')) {}
  now() { return new Date(this.t); }
  advance(ms: number) { this.t += ms; }
}

/** @param top top-level settings besides `partners` (e.g. `subscribers`) */
export function testConfig(baseUrl: string, over: Record<string, unknown> = {}, top: Record<string, unknown> = {}): HubConfig {
  return parseHubConfig({
    ...top,
    partners: [{
      id: 'acme-cloud', name: 'Acme Cloud', platforms: ['acme'], connector: 'generic-rest', baseUrl,
      credentials: { token: 'partner-token' }, webhookSecret: 'whsec_' + Buffer.from('test-webhook-secret').toString('base64'),
      retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 }, ...over,
    }],
  }, {});
}

/** An open escalation of `acme-cloud` with a partner ticket (a fresh id) linked to it. */
export async function openEscalationWithTicket(store: EscalationStore, over: Partial<Escalation> = {}) {
  const ticketId = uid('T');
  const { escalation } = await store.createEscalation(
    draftEscalation({ status: 'open', partnerTicket: { id: ticketId, number: ticketId }, ...over }),
    { findings: 'f', customerContact: null },
  );
  await store.putTicketLink('acme-cloud', ticketId, escalation.escalationId);
  return { escalation, ticketId };
}

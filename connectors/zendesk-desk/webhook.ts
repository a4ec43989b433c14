/**
 * `zendesk-desk`, inbound half: the trigger webhook of the vendor's Zendesk, verified as Zendesk signs
 * (connectors/zendesk/signature.ts, shared with the partner-side `zendesk`) and read with the desk's
 * `mapping` (JSON Pointers into the trigger's JSON body, which the vendor writes with placeholders).
 * No HTTP client here: the webhook function carries this half alone.
 */
import type { DeskEvent, RawWebhook } from '../../core/ports';
import { defineWebhookHalf } from '../halves';
import { resolvePointer } from '../json-pointer';
import { webhookJson } from '../webhook-body';
import { zendeskVerdict } from '../zendesk/signature';
import { zendeskDesk, type ZendeskDeskMapping, type ZendeskDeskSettings } from './descriptor';

/** Zendesk renders every placeholder as a string; a number (a body written with `{{ticket.id}}` unquoted) reads the same. */
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.trim() || undefined : typeof v === 'number' ? String(v) : undefined);

/** `contains`: an element of an array, or a whitespace-separated word of a string (`{{ticket.tags}}` is one string). */
export function holds(value: unknown, word: string): boolean {
  if (Array.isArray(value)) return value.some((v) => text(v) === word);
  return typeof value === 'string' && value.split(/\s+/).includes(word);
}

/**
 * Reads a trigger body with `mapping`: not partner-related → ignored; every field found → a flag; else the
 * problems, one per field, naming its pointer (the case id too, when it was found, so they can be noted on the case).
 */
export function readDeskEvent(mapping: ZendeskDeskMapping, body: unknown): DeskEvent {
  const related = mapping.partnerRelated;
  if (!holds(resolvePointer(body, related.pointer), related.contains)) {
    return { kind: 'ignored', reason: `${related.pointer} does not contain "${related.contains}"` };
  }
  const problems: string[] = [];
  const field = (name: 'caseId' | 'customerId' | 'platform' | 'summary' | 'findings'): string => {
    const v = text(resolvePointer(body, mapping[name]));
    if (v === undefined) problems.push(`${name}: nothing at ${mapping[name]}`);
    return v ?? '';
  };
  const caseId = field('caseId');
  const customerId = field('customerId');
  const platform = field('platform');
  const summary = field('summary');
  const findings = field('findings');
  const desk = text(resolvePointer(body, mapping.severity.pointer));
  const severity = desk === undefined ? undefined : mapping.severity.values[desk] ?? mapping.severity.values[desk.toLowerCase()];
  if (severity === undefined) {
    problems.push(desk === undefined
      ? `severity: nothing at ${mapping.severity.pointer}`
      : `severity: "${desk}" at ${mapping.severity.pointer} is none of ${Object.keys(mapping.severity.values).join(', ')}`);
  }
  if (problems.length > 0 || severity === undefined) return { kind: 'unmappable', ...(caseId ? { caseId } : {}), problems };
  return { kind: 'flag', caseId, flag: { customerId, platform, severity, summary, findings } };
}

export const zendeskDeskInbound = defineWebhookHalf(zendeskDesk, (s: ZendeskDeskSettings) => {
  const secrets = [s.webhookSecret, ...(s.previousWebhookSecrets ?? [])];
  return {
    verifyEvent: (req: RawWebhook, now: Date) => zendeskVerdict(secrets, req, now),
    // a trigger sends one ticket
    readEvents: (req: RawWebhook) => [readDeskEvent(s.mapping, webhookJson(req, 'The Zendesk trigger body'))],
  };
});

/**
 * What a partner says is untrusted: every string, URL and time a connector hands to the core passes these
 * checks once, at the connector → core edge (connectors/partner-input-guard.ts wraps every connector the
 * registries build). Pure functions, no I/O.
 *
 * - URLs: only absolute `http:` / `https:` URLs without credentials are kept; anything else (`javascript:`,
 *   `data:`, `vbscript:`, relative, malformed) is dropped, so it is never stored, returned or linked.
 * - Strings: made well-formed (a lone UTF-16 surrogate becomes U+FFFD, so that strict JSON clients can read
 *   every answer that carries it) and stripped of control characters other than tab and line breaks;
 *   identifiers (ticket ids and numbers, statuses) may carry no control characters at all and are bounded.
 * - Times: ISO 8601 text or Unix seconds/milliseconds, which must be a representable time; whether a time is
 *   too far in the future is the state machine's decision, against the injected clock (core/escalation.ts).
 */
import type { CollaborationEvent, InboundUpdate, JointCall, KnownIncident, PartnerIncident } from './ports';

/** Lone surrogates (a high one not followed by a low one, a low one not preceded by a high one). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** C0 controls but tab, LF, CR; DEL; C1 controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_ANY = /[\u0000-\u001F\u007F-\u009F]/;

/** The string with every lone surrogate replaced by U+FFFD (what `String.prototype.toWellFormed` does). */
export const wellFormed = (s: string): string => s.replace(LONE_SURROGATE, '\uFFFD');

/** JSON.parse reviver: every string value and key well-formed. */
export function wellFormedReviver(this: unknown, _key: string, value: unknown): unknown {
  return typeof value === 'string' ? wellFormed(value) : value;
}

/** Free text from a partner (comments, notes): well-formed, no control characters but tab and line breaks. */
export const partnerText = (s: string, max = 10_000): string => wellFormed(s).replace(CONTROL_IN_TEXT, '').slice(0, max);

/** An absolute http(s) URL without credentials, at most 2,000 characters; `undefined` for anything else. */
export function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return undefined;
  // the WHATWG parser strips leading control characters and spaces, and reads `JaVaScRiPt:` as `javascript:`:
  // so a value is judged by what a browser would make of it, and stored only as the exact text it judged
  if (value !== value.trim() || CONTROL_ANY.test(value) || /\s/.test(value) || value !== wellFormed(value)) return undefined;
  let u: URL;
  try { u = new URL(value); } catch { return undefined; }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  if (u.username || u.password || !u.hostname) return undefined;
  return value;
}
export const isHttpUrl = (value: unknown): value is string => httpUrl(value) !== undefined;

/**
 * A partner time: ISO 8601 text, or Unix seconds (below 1e12) or milliseconds, as a number or a string of
 * digits. `undefined` when it is not a time the hub can represent (years beyond ±275760, 1e20, NaN…).
 */
export function partnerTime(value: unknown): string | undefined {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    ms = Math.abs(value) < 1e12 ? value * 1000 : value;
  } else if (typeof value === 'string') {
    const t = value.trim();
    if (t.length === 0 || t.length > 64) return undefined;
    if (/^-?\d+$/.test(t)) {
      const n = Number(t);
      ms = Math.abs(n) < 1e12 ? n * 1000 : n;
    } else ms = Date.parse(t);
  } else return undefined;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  return new Date(ms).toISOString();
}

/** Why a partner's answer or message was refused (the guard turns it into the caller's error). */
export class PartnerInputError extends Error {
  override name = 'PartnerInputError';
  constructor(readonly field: string, readonly problem: string) { super(`${field} ${problem}`); }
}

/** An identifier (ticket id, number, meeting id): well-formed, no control characters, 1–`max` characters. */
export function partnerIdentifier(field: string, value: unknown, max = 200): string {
  const s = typeof value === 'string' ? wellFormed(value).trim() : '';
  if (!s || s.length > max || CONTROL_ANY.test(s)) throw new PartnerInputError(field, 'is not a valid identifier');
  return s;
}

function time(field: string, value: unknown): string {
  const t = partnerTime(value);
  if (t === undefined) throw new PartnerInputError(field, 'is not a time');
  return t;
}

/** A partner's incident as the core may store it: bounded identifiers, a representable time, an http(s) URL or none. */
export function acceptIncident(i: PartnerIncident): PartnerIncident {
  const url = httpUrl(i.url);
  const comment = i.comment === undefined ? '' : partnerText(i.comment);
  return {
    id: partnerIdentifier('id', i.id), number: partnerIdentifier('number', i.number), ...(url ? { url } : {}),
    status: i.status, partnerStatus: partnerText(String(i.partnerStatus), 200), updatedAt: time('updatedAt', i.updatedAt),
    ...(comment ? { comment } : {}), ...refusedOrDue(i),
  };
}

/** A refusal's reason (text, never empty) and a respond-by time, where the partner gave them. */
function refusedOrDue(u: Pick<PartnerIncident, 'refusal' | 'respondBy'>): Pick<PartnerIncident, 'refusal' | 'respondBy'> {
  return {
    ...(u.refusal !== undefined ? { refusal: partnerText(u.refusal, 2000) || 'no reason given' } : {}),
    ...(u.respondBy !== undefined ? { respondBy: time('respondBy', u.respondBy) } : {}),
  };
}

/** Status updates from a partner's webhook, as the core may store them. */
export const acceptUpdates = (updates: InboundUpdate[]): InboundUpdate[] => updates.map((u) => {
  const comment = u.comment === undefined ? '' : partnerText(u.comment);
  return {
    ticketId: partnerIdentifier('ticketId', u.ticketId),
    ...(u.ticketNumber !== undefined ? { ticketNumber: partnerIdentifier('ticketNumber', u.ticketNumber) } : {}),
    status: u.status, partnerStatus: partnerText(String(u.partnerStatus), 200), updatedAt: time('updatedAt', u.updatedAt),
    ...(comment ? { comment } : {}), ...refusedOrDue(u), ...(u.refresh ? { refresh: true } : {}),
  };
});

/** A meeting the provider scheduled: its join link must be an http(s) URL (engineers open it). */
export function acceptJointCall(c: JointCall): JointCall {
  const joinUrl = httpUrl(c.joinUrl);
  if (!joinUrl) throw new PartnerInputError('joinUrl', 'is not an http(s) URL');
  return { provider: c.provider, meetingId: partnerIdentifier('meetingId', c.meetingId, 2000), joinUrl };
}

/** Meeting events from a provider's webhook, as the core may store them (detail values: text cleaned, prototype keys left out). */
export const acceptCollaborationEvents = (events: CollaborationEvent[]): CollaborationEvent[] => events.map((e) => ({
  meetingId: partnerIdentifier('meetingId', e.meetingId, 2000),
  type: partnerIdentifier('type', e.type),
  at: time('at', e.at),
  detail: Object.fromEntries(Object.entries(e.detail).filter(([k]) => !PROTOTYPE_KEYS.has(k))
    .map(([k, v]) => [k, typeof v === 'string' ? partnerText(v, 2000) : v])),
}));

/** A partner's own incident (service health), as the core may store it: bounded text, representable times, an http(s) URL or none. */
export function acceptKnownIncident(i: KnownIncident): KnownIncident {
  const url = httpUrl(i.url);
  return {
    source: i.source, id: partnerIdentifier('id', i.id), title: partnerText(i.title, 500) || '(no title)',
    status: partnerIdentifier('status', i.status, 100), ...(url ? { url } : {}), startedAt: time('startedAt', i.startedAt),
    ...(i.resolvedAt !== undefined ? { resolvedAt: time('resolvedAt', i.resolvedAt) } : {}),
    services: i.services.slice(0, 50).map((s) => partnerText(s, 200)).filter((s) => s.length > 0),
  };
}

/**
 * Keys that name (or reach) an object's prototype: refused in every free-form record the hub takes in, at
 * any depth (`product`, `customerContact`, partner details), so no code that reads such a record with
 * `obj[key]` or spreads it can meet an inherited member instead of data.
 */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

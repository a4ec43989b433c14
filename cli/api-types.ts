/**
 * The shapes the CLI reads back from the hub (API.md), checked at the edge by small guards rather than
 * zod: loading zod costs more start-up time than a whole CLI call should. Objects stay loose (the contract
 * may grow fields) and `--json` prints the hub's answer as it came.
 */

import { STATUSES, type EscalationStatus, type PartnerTicket, type Referral } from '../core/escalation';

// the domain's own vocabulary (core/escalation.ts has no imports: nothing heavy to load)
export { STATUSES, type EscalationStatus, type PartnerTicket, type Referral } from '../core/escalation';

export interface Escalation {
  escalationId: string;
  caseId: string;
  customerId: string;
  partnerId: string;
  partnerName: string;
  platform?: string | null;
  status: EscalationStatus;
  severity: string;
  summary: string;
  partnerTicket: PartnerTicket | null;
  referral: Referral | null;
  attempts?: number;
  lastError?: string | null;
  /** The hub's own set-up problem that holds it up (engineers only). */
  problem?: { code: string; message: string; since: string } | null;
  /** The partner's own incidents attached to it: suggested by the hub, confirmed or dismissed by an engineer. */
  knownIncidents?: AttachedKnownIncident[];
  createdAt: string;
  updatedAt: string;
}

export interface AttachedKnownIncident {
  source: string; id: string; title: string; status: string; url?: string; startedAt: string; resolvedAt?: string;
  match: 'suggested' | 'confirmed' | 'dismissed';
}

export interface TimelineEntry { at: string; type: string; actor?: string | null; detail?: unknown }
/** `timelineBefore`: older entries exist (the answer holds the newest 200); a cursor for `GET …/timeline?before=`. */
export interface EscalationDetail extends Escalation {
  findings?: string | null;
  timeline: TimelineEntry[];
  timelineBefore?: string | null;
  /** For a partner without an API: where and how the engineer works with it. */
  manual?: { portalUrl: string; instructions: string };
}
/** `GET /v1/escalations/{id}/timeline`: entries oldest first; `before` pages on to older ones, `null` when none are left. */
export interface TimelinePage { items: TimelineEntry[]; before: string | null }
export interface EscalationList { items: Escalation[] }
export interface JointCall { provider: string; meetingId: string; joinUrl: string }
export interface ApiErrorBody { error: { code: string; message: string; details?: { path?: string; message: string }[] } }

/** Answers what is wrong with `value` (the first problem found), or undefined when it has the shape. */
export type Check = (value: unknown) => string | undefined;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fields(spec: Record<string, (v: unknown) => boolean>): Check {
  return (value) => {
    if (!isObj(value)) return 'expected an object';
    for (const [name, ok] of Object.entries(spec)) if (!ok(value[name])) return `${name}: unexpected ${JSON.stringify(value[name]) ?? 'undefined'}`;
    return undefined;
  };
}

const str = (v: unknown) => typeof v === 'string';
const optStr = (v: unknown) => v === undefined || v === null || typeof v === 'string';
const nullOr = (check: Check) => (v: unknown) => v === null || check(v) === undefined;
const ok = (check: Check) => (v: unknown) => check(v) === undefined;

const partnerTicket = fields({ id: str, number: str, url: optStr });
const referral = fields({ reason: str, instructions: str });
const attachedKnownIncident = fields({ id: str, title: str, status: str, startedAt: str, url: optStr, resolvedAt: optStr, match: str });

export const checkEscalation: Check = fields({
  escalationId: str, caseId: str, customerId: str, partnerId: str, partnerName: str, platform: optStr,
  status: (v) => (STATUSES as readonly unknown[]).includes(v), severity: str, summary: str,
  partnerTicket: nullOr(partnerTicket), referral: nullOr(referral),
  attempts: (v) => v === undefined || typeof v === 'number', lastError: optStr, createdAt: str, updatedAt: str,
  // absent from hubs before known incidents
  knownIncidents: (v) => v === undefined || (Array.isArray(v) && v.every(ok(attachedKnownIncident))),
});

const checkTimelineEntry = fields({ at: str, type: str, actor: optStr });

export const checkEscalationDetail: Check = (value) => checkEscalation(value) ?? fields({
  findings: optStr,
  timeline: (v) => Array.isArray(v) && v.every(ok(checkTimelineEntry)),
  timelineBefore: optStr,
})(value);

export const checkTimelinePage: Check = fields({
  items: (v) => Array.isArray(v) && v.every(ok(checkTimelineEntry)),
  before: (v) => v === null || typeof v === 'string',
});

export const checkEscalationList: Check = fields({ items: (v) => Array.isArray(v) && v.every(ok(checkEscalation)) });
export const checkJointCall: Check = fields({ provider: str, meetingId: str, joinUrl: str });
/** `GET /v1/partners/{partnerId}/known-incidents`. */
export interface KnownIncidents {
  items: { source: string; id: string; title: string; status: string; url?: string; startedAt: string; services: string[] }[];
  source: string | null;
  polledAt: string | null;
}
export const checkKnownIncidents: Check = fields({
  items: (v) => Array.isArray(v) && v.every(ok(fields({ id: str, title: str, status: str, startedAt: str, url: optStr, services: Array.isArray }))),
  source: optStr, polledAt: optStr,
});
const DOCTOR_RESULT_NAMES: readonly unknown[] = ['pass', 'fail', 'skip', 'info'];
export const checkDoctorReport: Check = fields({
  ok: (v) => typeof v === 'boolean',
  checks: (v) => Array.isArray(v) && v.every(ok(fields({ partner: str, connector: str, check: str, result: (r) => DOCTOR_RESULT_NAMES.includes(r), detail: str }))),
});
export type { DoctorReport } from '../core/responses';
export const checkAnyObject: Check = (value) => (isObj(value) ? undefined : 'expected an object');

export const checkApiErrorBody: Check = fields({
  error: ok(fields({
    code: str, message: str,
    details: (v) => v === undefined || (Array.isArray(v) && v.every(ok(fields({ path: optStr, message: str })))),
  })),
});

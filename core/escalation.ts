/**
 * The escalation: one partner incident opened on behalf of one customer case.
 * Pure domain model and state machine; no I/O.
 */
import { isHttpUrl } from './partner-input';
import type { KnownIncident } from './ports';
import type { CustomerIncidentAnswer, CustomerKnownIncidentAnswer, EscalationAnswer } from './responses';

export const STATUSES = [
  'requested', 'open', 'in_progress', 'awaiting_info', 'resolved', 'closed', 'referred', 'cancelled',
] as const;
export type EscalationStatus = (typeof STATUSES)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Statuses a partner can report (after the connector has normalised its own vocabulary). */
export const PARTNER_STATUSES = ['open', 'in_progress', 'awaiting_info', 'resolved', 'closed'] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

export interface PartnerTicket { id: string; number: string; url?: string }

/** How a customer asked for the escalation (the support promise escalates only at the customer's request). */
export const CUSTOMER_REQUEST_CHANNELS = ['phone', 'email', 'portal', 'desk'] as const;
export interface CustomerRequest { at: string; by: string; channel: (typeof CUSTOMER_REQUEST_CHANNELS)[number] }

/**
 * What the engineer said of the customer's side when flagging: who asked, and the customer's support
 * agreement with the partner. For engineers and partners only: never in a customer view.
 */
export interface CustomerMandate { customerRequest?: CustomerRequest; partnerEntitlement?: string }

export interface Referral { reason: string; instructions: string }

/** What an engineer made of a partner incident attached to an escalation (API.md "Known partner incidents"). */
export const KNOWN_INCIDENT_MATCHES = ['suggested', 'confirmed', 'dismissed'] as const;
export type KnownIncidentMatch = (typeof KNOWN_INCIDENT_MATCHES)[number];

/**
 * A partner's own incident (its service-health source) attached to an escalation: the partner's fields as
 * last polled, what the engineer made of it, and when the hub suggested it (the timeline's
 * `known_incident_suggested` entry is derived from that: no write of its own).
 */
export interface AttachedKnownIncident extends Omit<KnownIncident, 'services'> {
  match: KnownIncidentMatch;
  suggestedAt: string;
}

/**
 * Something in the hub's own set-up stops it (the partner answers 401/403 to the hub's credentials): the
 * escalation stays in its state, engineers see the problem, and the hub keeps retrying. `since`: when it
 * started; `failures`: calls refused in a row (backoff), not shown.
 */
export interface HubProblem { code: string; message: string; since: string; failures: number }

/** Problem codes. */
export const PROBLEM_PARTNER_CREDENTIALS = 'partner_credentials_rejected';

export interface Escalation {
  escalationId: string;
  caseId: string;
  customerId: string;
  partnerId: string;
  partnerName: string;
  platform: string | null;
  status: EscalationStatus;
  severity: Severity;
  summary: string;
  /** Findings summary marked for customer eyes (referrals); absent on older items. */
  customerSummary?: string | null;
  /** The vendor's desk (`desks` id) the case was flagged from: the hub writes the partner ticket back to its case (`caseId`). */
  deskId?: string;
  product: Record<string, string> | null;
  /**
   * The customer's request and entitlement (absent when not given, and on older items). Kept on the item
   * (small) so that the timeline's `escalation_requested` entry and the opening read them without another read.
   */
  mandate?: CustomerMandate;
  partnerTicket: PartnerTicket | null;
  referral: Referral | null;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  /** When the partner ticket was recorded. */
  openedAt: string | null;
  /**
   * Set when the hub itself opened the partner incident (not when an engineer recorded a ticket): the
   * partner's status in its answer and the attempts it took. The timeline's `partner_incident_opened`
   * entry is derived from it. Absent on older items (they stored that entry).
   */
  opening?: { partnerStatus: string; attempts: number } | null;
  /** The partner's own time of the last update applied, and its status rank (tie-break). */
  partnerUpdatedAt: string | null;
  partnerUpdateRank: number;
  /** Opening attempts made so far, and when the next may start. */
  attempts: number;
  nextAttemptAt: string | null;
  /** An opening attempt holds this lease while it talks to the partner. */
  leaseUntil: string | null;
  /** When the sweep last re-drove this escalation. */
  redrivenAt: string | null;
  /**
   * `api`: the hub opens the partner incident itself; `manual`: the partner has no API, an engineer opens
   * it in the partner's portal and records the number. Absent on items written before it existed: `api`.
   */
  ticketMode?: 'api' | 'manual';
  /** Aging: when a missing partner ticket, or a silent partner, crosses its threshold (severity-scaled). */
  ticketDueBy?: string | null;
  updateDueBy?: string | null;
  /** Thresholds already reported (`ticket`, `update@<deadline>`): each fires once. */
  agedFor?: string[];
  lastError: string | null;
  /** The hub's own problem that holds this escalation up (engineers only); absent or `null` when none. */
  problem?: HubProblem | null;
  /**
   * Whether a comment was added while there was no partner ticket to send it to: the opening then looks
   * for pending comments (and asks the forwarder to send them). New escalations start `false`; absent on
   * older items, which the opening therefore always checks.
   */
  commentsPending?: boolean;
  /**
   * `time`: every timeline entry of this escalation is stored under a time-ordered key (`T#<at>#…`), so a
   * page of the newest entries is one Query. Absent on escalations flagged before (some entries kept
   * under their dedupe key alone): the store reads their whole timeline to page it.
   */
  timelineKeys?: 'time';
  /**
   * Whether each comment's text is also kept under a key of its own (CommentStore.isOwnCommentText), so
   * that recognising the partner's echo of a hub comment is one read. New escalations start `true`; absent
   * on older items, whose echo check reads their timeline.
   */
  commentTexts?: boolean;
  /**
   * The partner's own incidents attached while the escalation is open (core/known-incidents.ts), in the
   * order they were attached. Absent on items of partners without a service-health source, and on older items.
   */
  knownIncidents?: AttachedKnownIncident[];
  /** Optimistic-locking version, incremented by every write. */
  version: number;
}

/** Statuses in which the hub still has work to do or watch. */
export const OPEN_STATUSES: ReadonlySet<EscalationStatus> = new Set(['requested', 'open', 'in_progress', 'awaiting_info', 'resolved']);
export const isTerminal = (s: EscalationStatus): boolean => s === 'closed' || s === 'referred' || s === 'cancelled';

/** Rank used to break ties between partner updates carrying the same partner time. */
const RANK: Record<PartnerStatus, number> = { open: 1, in_progress: 2, awaiting_info: 3, resolved: 4, closed: 5 };

export interface PartnerUpdate {
  status: PartnerStatus;
  /** The partner's own status string, kept for the timeline. */
  partnerStatus: string;
  /** The partner's own time of the update (ISO). */
  updatedAt: string;
  /** The partner refused the incident, with this reason (PartnerIncident.refusal): the update refers the escalation. */
  refusal?: string | undefined;
}

export type UpdateDecision =
  | { apply: true; status: EscalationStatus; reason: 'applied' }
  | { apply: false; reason: 'stale' | 'terminal' | 'not_open_yet' | 'future' };

/**
 * How far ahead of the hub's clock a partner's update time may be (partner clocks run a little fast). A
 * later time is refused: applied, it would make every real update after it look older, and so `stale`.
 */
export const PARTNER_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Decides whether a partner update changes the escalation.
 *
 * Rules: an update dated more than PARTNER_CLOCK_SKEW_MS after `now` (the injected clock) is refused
 * (`future`); an update is applied only when it is newer (by the partner's own update time, ties broken by
 * status rank) than the last one applied, so updates arriving in any order converge on the newest one; a
 * last time beyond the skew (stored before such times were refused) orders nothing, so real updates apply
 * again; a newer update may reopen a `resolved` or `closed` escalation; a partner's refusal (`refusal`)
 * ends it as `referred`, like the hub's own referral; terminal states (`referred`, `cancelled`) never
 * change by a partner update; an escalation still `requested` has no ticket to update.
 */
export function decidePartnerUpdate(
  esc: Pick<Escalation, 'status' | 'partnerUpdatedAt' | 'partnerUpdateRank'>,
  update: PartnerUpdate,
  now: Date,
): UpdateDecision {
  if (esc.status === 'referred' || esc.status === 'cancelled') return { apply: false, reason: 'terminal' };
  if (esc.status === 'requested') return { apply: false, reason: 'not_open_yet' };
  const latest = now.getTime() + PARTNER_CLOCK_SKEW_MS;
  const next = Date.parse(update.updatedAt);
  if (!Number.isFinite(next) || next > latest) return { apply: false, reason: 'future' };
  const last = esc.partnerUpdatedAt === null ? Number.NaN : Date.parse(esc.partnerUpdatedAt);
  if (Number.isFinite(last) && last <= latest) {
    if (next < last || (next === last && RANK[update.status] <= esc.partnerUpdateRank)) {
      return { apply: false, reason: 'stale' };
    }
  }
  return { apply: true, status: update.refusal === undefined ? update.status : 'referred', reason: 'applied' };
}

export const rankOf = (s: PartnerStatus): number => RANK[s];

/** How long an escalation may sit past its next expected step before the sweep drives it again. */
export const REDRIVE_GRACE_MS = 15_000;

/**
 * When the open-work index should next look at this escalation, or `null` when it needs no watching.
 * A `requested` escalation is due once its next attempt, any lease and any earlier re-drive have passed,
 * plus a grace period: so a lost message or a crashed worker delays work but never loses it.
 */
export function redriveDueAt(e: Pick<Escalation, 'status' | 'createdAt' | 'nextAttemptAt' | 'leaseUntil' | 'redrivenAt' | 'ticketMode'>, graceMs = REDRIVE_GRACE_MS): string | null {
  if (e.status !== 'requested' || e.ticketMode === 'manual') return null;
  const times = [e.createdAt, e.nextAttemptAt, e.leaseUntil, e.redrivenAt].filter((t): t is string => t !== null).map(Date.parse);
  return new Date(Math.max(...times) + graceMs).toISOString();
}

export type AgingThreshold = 'ticketWithinMinutes' | 'partnerUpdateWithinMinutes';
export interface AgingCheck { threshold: AgingThreshold; key: string; deadline: string }

const WAITING_ON_PARTNER: ReadonlySet<EscalationStatus> = new Set(['open', 'in_progress', 'awaiting_info']);

/** Aging thresholds not reported yet, with their deadlines: a missing ticket, a silent partner. */
export function pendingAging(e: Pick<Escalation, 'status' | 'ticketDueBy' | 'updateDueBy' | 'agedFor'>): AgingCheck[] {
  const fired = new Set(e.agedFor ?? []);
  const out: AgingCheck[] = [];
  if (e.status === 'requested' && e.ticketDueBy && !fired.has('ticket')) {
    out.push({ threshold: 'ticketWithinMinutes', key: 'ticket', deadline: e.ticketDueBy });
  }
  if (WAITING_ON_PARTNER.has(e.status) && e.updateDueBy && !fired.has(`update@${e.updateDueBy}`)) {
    out.push({ threshold: 'partnerUpdateWithinMinutes', key: `update@${e.updateDueBy}`, deadline: e.updateDueBy });
  }
  return out;
}

/**
 * When the open-work index should next look at this escalation, or `null` when it needs no watching:
 * the earliest of its re-drive time and its unreported aging deadlines.
 */
export function dueAt(e: Pick<Escalation, 'status' | 'createdAt' | 'nextAttemptAt' | 'leaseUntil' | 'redrivenAt' | 'ticketMode' | 'ticketDueBy' | 'updateDueBy' | 'agedFor'>, graceMs = REDRIVE_GRACE_MS): string | null {
  const times = [redriveDueAt(e, graceMs), ...pendingAging(e).map((a) => a.deadline)].filter((t): t is string => t !== null);
  return times.length ? times.reduce((a, b) => (a < b ? a : b)) : null;
}

/** Hub-side transitions an engineer may ask for. */
export function canCancel(status: EscalationStatus): boolean {
  return !isTerminal(status);
}

/** Whether an engineer may still comment on it or ask for a joint call: not once it is `cancelled` or `closed`. */
export const acceptsEngineerWork = (status: EscalationStatus): boolean => status !== 'cancelled' && status !== 'closed';

/** Whether the hub may try again to open the partner incident (`POST …/retry`): only after a referral. */
export const canRetryOpening = (status: EscalationStatus): boolean => status === 'referred';

/** Statuses an engineer may record for a partner without an API (`POST …/partner-status`). */
export const MANUAL_PARTNER_STATUSES = ['in_progress', 'awaiting_info', 'resolved', 'closed'] as const;
export type ManualPartnerStatus = (typeof MANUAL_PARTNER_STATUSES)[number];

/** What an engineer wrote when flagging the case: kept apart from the escalation item, which is rewritten on every change. */
export interface CaseDetails {
  findings: string;
  customerContact: Record<string, string> | null;
}

/**
 * The partner ticket as the hub shows it: a URL that is not http(s) (stored before partner input was checked)
 * is left out, so no answer or page ever carries a `javascript:` or `data:` link.
 */
export function shownTicket(t: PartnerTicket | null): PartnerTicket | null {
  if (!t) return null;
  const { url, ...rest } = t;
  return isHttpUrl(url) ? { ...rest, url } : rest;
}

/** The fields of an escalation that the engineer API shows. */
export function engineerView(e: Escalation): EscalationAnswer {
  return {
    escalationId: e.escalationId,
    caseId: e.caseId,
    customerId: e.customerId,
    partnerId: e.partnerId,
    partnerName: e.partnerName,
    platform: e.platform,
    status: e.status,
    severity: e.severity,
    summary: e.summary,
    customerSummary: e.customerSummary ?? null,
    product: e.product,
    partnerTicket: shownTicket(e.partnerTicket),
    referral: e.referral,
    ticketMode: e.ticketMode ?? 'api',
    attempts: e.attempts,
    lastError: e.lastError,
    problem: e.problem ? { code: e.problem.code, message: e.problem.message, since: e.problem.since } : null,
    knownIncidents: (e.knownIncidents ?? []).map((i) => ({ ...shownKnownIncident(i), match: i.match })),
    deskId: e.deskId ?? null,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

/** The fields a customer may see: no findings, no timeline, no engineer names. */
export function customerIncidentView(e: Escalation): CustomerIncidentAnswer {
  return {
    partnerId: e.partnerId,
    partnerName: e.partnerName,
    ticketNumber: e.partnerTicket?.number ?? null,
    ticketUrl: shownTicket(e.partnerTicket)?.url ?? null,
    status: e.status,
    openedAt: e.openedAt,
    updatedAt: e.updatedAt,
    referral: e.referral,
    // an engineer vouched for these; suggestions and dismissed ones stay with the engineers
    knownIncidents: (e.knownIncidents ?? []).filter((i) => i.match === 'confirmed').map(shownKnownIncident),
  };
}

/** A known incident's partner fields as shown (its link only when http(s), as shownTicket). */
function shownKnownIncident(i: AttachedKnownIncident): CustomerKnownIncidentAnswer {
  return {
    source: i.source, id: i.id, title: i.title, status: i.status, ...(isHttpUrl(i.url) ? { url: i.url } : {}),
    startedAt: i.startedAt, ...(i.resolvedAt ? { resolvedAt: i.resolvedAt } : {}),
  };
}

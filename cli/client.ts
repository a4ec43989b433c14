/**
 * The hub's HTTP API as the CLI uses it: one method per route of API.md, bearer token from HUB_TOKEN.
 * Every answer is checked against the contract's shape; a non-2xx becomes an ApiError (exit 1), a hub
 * that does not answer an UnreachableError (exit 3).
 */
import {
  checkAnyObject, checkApiErrorBody, checkDoctorReport, checkEscalation, checkEscalationDetail, checkEscalationList, checkJointCall, checkKnownIncidents, checkTimelinePage,
  type ApiErrorBody, type Check, type DoctorReport, type Escalation, type EscalationDetail, type EscalationList, type JointCall, type KnownIncidents, type TimelinePage,
} from './api-types';
import { ApiError, UnreachableError } from './errors';

export interface HubResponse<T> { status: number; body: T; raw: unknown }

export interface HubClientOptions {
  baseUrl: string;
  token: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class HubClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly opts: HubClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = opts.fetch ?? fetch;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  createEscalation(body: Record<string, unknown>) {
    return this.call<Escalation>(checkEscalation, 'POST', '/v1/escalations', body);
  }
  getEscalation(id: string) {
    return this.call<EscalationDetail>(checkEscalationDetail, 'GET', `/v1/escalations/${enc(id)}`);
  }
  /** Older timeline entries: before a cursor (`timelineBefore`, or `before` of an earlier page), at most `limit`. */
  getTimeline(id: string, opts: { before?: string | undefined; limit?: number | undefined } = {}) {
    const q = new URLSearchParams();
    if (opts.before !== undefined) q.set('before', opts.before);
    if (opts.limit !== undefined) q.set('limit', String(opts.limit));
    const qs = q.toString();
    return this.call<TimelinePage>(checkTimelinePage, 'GET', `/v1/escalations/${enc(id)}/timeline${qs ? `?${qs}` : ''}`);
  }
  listEscalations(caseId: string) {
    return this.call<EscalationList>(checkEscalationList, 'GET', `/v1/escalations?caseId=${enc(caseId)}`);
  }
  addComment(id: string, body: string) {
    return this.call<Record<string, unknown>>(checkAnyObject, 'POST', `/v1/escalations/${enc(id)}/comments`, { body });
  }
  scheduleJointCall(id: string, body: { startTime?: string; durationMinutes?: number }) {
    return this.call<JointCall>(checkJointCall, 'POST', `/v1/escalations/${enc(id)}/joint-calls`, body);
  }
  recordPartnerTicket(id: string, body: { number: string; url?: string }) {
    return this.call<Escalation>(checkEscalation, 'POST', `/v1/escalations/${enc(id)}/partner-ticket`, body);
  }
  listKnownIncidents(partnerId: string) {
    return this.call<KnownIncidents>(checkKnownIncidents, 'GET', `/v1/partners/${enc(partnerId)}/known-incidents`);
  }
  listDeadLetters(queue?: string) {
    return this.call<DeadLetterList>(checkAnyObject, 'GET', `/v1/admin/dead-letters${queue ? `?queue=${enc(queue)}` : ''}`);
  }
  redriveDeadLetters(queue?: string) {
    return this.call<{ results: { queue: string; moved: number | string }[] }>(checkAnyObject, 'POST', '/v1/admin/dead-letters/redrive', queue ? { queue } : {});
  }
  /** `hub doctor` on the hub itself (admin token): it runs the checks where the partner secrets are. */
  doctor() {
    return this.call<DoctorReport>(checkDoctorReport, 'POST', '/v1/admin/doctor', {});
  }
  /** An engineer's verdict on a partner incident attached to the escalation. */
  decideKnownIncident(id: string, incidentId: string, verdict: 'confirm' | 'dismiss') {
    return this.call<Escalation>(checkEscalation, 'POST', `/v1/escalations/${enc(id)}/known-incidents/${enc(incidentId)}/${verdict}`, {});
  }
  retry(id: string) {
    return this.call<Escalation>(checkEscalation, 'POST', `/v1/escalations/${enc(id)}/retry`, {});
  }
  recordPartnerStatus(id: string, body: { status: string; note?: string }) {
    return this.call<Escalation>(checkEscalation, 'POST', `/v1/escalations/${enc(id)}/partner-status`, body);
  }
  cancel(id: string, reason: string) {
    return this.call<Escalation>(checkEscalation, 'POST', `/v1/escalations/${enc(id)}/cancel`, { reason });
  }

  private async call<T>(check: Check, method: string, path: string, body?: unknown): Promise<HubResponse<T>> {
    const url = this.baseUrl + path;
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers: {
          authorization: `Bearer ${this.opts.token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new UnreachableError(this.baseUrl, networkReason(err, this.timeoutMs));
    }
    const text = await res.text();
    let raw: unknown;
    try { raw = text ? JSON.parse(text) : undefined; } catch { raw = undefined; }

    if (!res.ok) {
      if (checkApiErrorBody(raw) === undefined) {
        const { code, message, details = [] } = (raw as ApiErrorBody).error;
        throw new ApiError(res.status, code, message, details);
      }
      throw new ApiError(res.status, `http_${res.status}`, `${method} ${path} answered ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`);
    }
    const problem = check(raw);
    if (problem !== undefined) {
      throw new ApiError(res.status, 'unexpected_response', `${method} ${path} answered ${res.status} with a body the CLI does not understand`, [{ message: problem }]);
    }
    return { status: res.status, body: raw as T, raw };
  }
}

const enc = encodeURIComponent;

export interface DeadLetterList {
  queues: string[];
  items: { queue: string; messageId: string; receiveCount: number; escalationId: string | null; lastError: string | null; failedAt: string | null }[];
}

/** A one-line reason for a failed fetch: undici hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`. */
function networkReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs / 1000} s`;
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The HTTP API: engineer, customer and service routes (API.md). Thin: parse, call a use case, map.
 * Claims come from the API Gateway v2 JWT authorizer context.
 */
import type { HubDeps } from '../core/deps';
import { customerIncidentView, engineerView } from '../core/escalation';
import { ConflictError, InvalidCursorError, NotFoundError } from '../core/errors';
import { decodeTimelineCursor, TIMELINE_PAGE_DEFAULT } from '../core/timeline';
import {
  AddCommentRequest, CancelRequest, CaseIdParam, CreateEscalationRequest, EscalationIdParam, JointCallRequestBody,
  ListEscalationsQuery, parseOrThrow, PartnerStatusRequest, PartnerTicketRequest, RetryRequest, TimelinePageQuery,
} from '../core/schemas';
import { partnerById } from '../core/deps';
import { manualInstructions } from '../connectors/manual/descriptor';
import { scheduleJointCall } from '../core/use-cases/joint-calls';
import { recordPartnerTicket } from '../core/use-cases/record-partner-ticket';
import { StatusLinkRequest } from '../core/schemas';
import { signStatusToken, STATUS_LINK_KEY } from '../core/status-links';
import { renderStatusPage } from './status-page';
import { awsSecretReader, requiredSecret, type SecretReader } from './adapters/secrets';
import { cancelEscalation } from '../core/use-cases/cancel-escalation';
import { addComment, type CommentDestination } from '../core/use-cases/comments';
import { recordManualPartnerStatus } from '../core/use-cases/manual-partner-status';
import { retryOpening } from '../core/use-cases/retry-opening';
import { flagEscalation } from '../core/use-cases/flag-escalation';
import { openApiDocument } from './openapi';
import { buildCollaborationRegistry } from '../connectors/collaboration-registry';
import { eventBridgeBus } from './adapters/eventbridge-bus';
import { hubDeps } from './adapters/hub-deps';
import { callerOf, errorResult, json, parseJsonBody, rawBody, requireRole, type HttpEvent, type HttpResult } from './http';

export interface ApiOptions {
  /** Signs customer status-page links and sessions; without it, links cannot be minted. */
  sessionKey?: string | undefined;
}

type Route = (event: HttpEvent, deps: HubDeps, opts: ApiOptions) => Promise<HttpResult>;

const param = (event: HttpEvent, name: string) => event.pathParameters?.[name] ?? '';

/** What `load` finds for the escalation id in the path; 404 for an unknown or malformed id. */
async function fromPath<T>(event: HttpEvent, load: (escalationId: string) => Promise<T | undefined>): Promise<T> {
  const id = param(event, 'escalationId');
  const found = EscalationIdParam.safeParse(id).success ? await load(id) : undefined;
  if (!found) throw new NotFoundError(`No escalation ${id}.`);
  return found;
}

const loadEscalation = (deps: HubDeps, event: HttpEvent) => fromPath(event, (id) => deps.store.getEscalation(id));

const engineer = (event: HttpEvent) => requireRole(callerOf(event), 'engineer', 'admin');

/** What the comment route says about where the comment went (`forwarded` as before, and a sentence). */
const COMMENT_ANSWERS: Record<CommentDestination, [forwarded: string, message: string]> = {
  partner_ticket: ['pending', 'on its way to the partner ticket'],
  when_ticket_opens: ['when the partner ticket opens', 'kept, and forwarded to the partner ticket once it opens'],
  timeline_only: ['no', 'kept in the timeline; copy it to the partner\'s portal (this partner has no API)'],
};

const ROUTES: Record<string, Route> = {
  'GET /health': async () => json(200, { status: 'ok' }),
  'GET /openapi.json': async () => json(200, openApiDocument()),

  'POST /v1/escalations': async (event, deps) => {
    const caller = engineer(event);
    const input = parseOrThrow(CreateEscalationRequest, parseJsonBody(event));
    const r = await flagEscalation(deps, input, caller.sub);
    return json(r.created ? 202 : 200, engineerView(r.escalation));
  },

  'GET /v1/escalations': async (event, deps) => {
    engineer(event);
    const { caseId } = parseOrThrow(ListEscalationsQuery, event.queryStringParameters ?? {}, 'query');
    const items = await deps.store.listByCase(caseId);
    return json(200, { items: items.map(engineerView) });
  },

  'GET /v1/escalations/{escalationId}': async (event, deps) => {
    engineer(event);
    const { escalation: esc, timeline, timelineBefore } = await fromPath(event, (id) => deps.store.getEscalationWithTimeline(id));
    const details = await deps.store.getCaseDetails(esc);
    const profile = partnerById(deps.config, esc.partnerId);
    const manual = esc.ticketMode === 'manual' && profile ? manualInstructions(profile) : undefined;
    // the newest entries only: an escalation with thousands of comments still answers in one small page
    return json(200, { ...engineerView(esc), ...(manual ? { manual } : {}), findings: details?.findings ?? null, timeline, ...(timelineBefore ? { timelineBefore } : {}) });
  },

  'GET /v1/escalations/{escalationId}/timeline': async (event, deps) => {
    engineer(event);
    const q = parseOrThrow(TimelinePageQuery, event.queryStringParameters ?? {}, 'query');
    const before = q.before === undefined ? undefined : decodeTimelineCursor(q.before);
    if (q.before !== undefined && before === undefined) throw new InvalidCursorError('The cursor in "before" is not one this hub handed out; use timelineBefore or before from an earlier answer.');
    const page = await fromPath(event, (id) => deps.store.getTimelinePage(id, { before, limit: q.limit ? Number(q.limit) : TIMELINE_PAGE_DEFAULT }));
    return json(200, { items: page.items, before: page.before });
  },

  'POST /v1/escalations/{escalationId}/joint-calls': async (event, deps) => {
    const caller = engineer(event);
    const esc = await loadEscalation(deps, event);
    const body = event.body ? parseOrThrow(JointCallRequestBody, parseJsonBody(event)) : {};
    return json(201, await scheduleJointCall(deps, esc, body, caller.sub));
  },

  'POST /v1/escalations/{escalationId}/partner-ticket': async (event, deps) => {
    const caller = engineer(event);
    const esc = await loadEscalation(deps, event);
    const ticket = parseOrThrow(PartnerTicketRequest, parseJsonBody(event));
    return json(200, engineerView(await recordPartnerTicket(deps, esc.escalationId, ticket, caller.sub)));
  },

  'POST /v1/escalations/{escalationId}/comments': async (event, deps) => {
    const caller = engineer(event);
    const esc = await loadEscalation(deps, event);
    const { body } = parseOrThrow(AddCommentRequest, parseJsonBody(event));
    const destination = await addComment(deps, esc, body, caller.sub);
    const [forwarded, message] = COMMENT_ANSWERS[destination];
    return json(202, { status: 'accepted', forwarded, destination, message });
  },

  'POST /v1/escalations/{escalationId}/retry': async (event, deps) => {
    const caller = engineer(event);
    const esc = await loadEscalation(deps, event);
    if (rawBody(event).trim() !== '') parseOrThrow(RetryRequest, parseJsonBody(event));
    return json(200, engineerView(await retryOpening(deps, esc.escalationId, caller.sub)));
  },

  'POST /v1/escalations/{escalationId}/partner-status': async (event, deps) => {
    const caller = engineer(event);
    const esc = await loadEscalation(deps, event);
    const input = parseOrThrow(PartnerStatusRequest, parseJsonBody(event));
    return json(200, engineerView(await recordManualPartnerStatus(deps, esc.escalationId, input, caller.sub)));
  },

  'POST /v1/escalations/{escalationId}/cancel': async (event, deps) => {
    const caller = engineer(event);
    const esc = await loadEscalation(deps, event);
    const { reason } = parseOrThrow(CancelRequest, parseJsonBody(event));
    return json(200, engineerView(await cancelEscalation(deps, esc.escalationId, reason, caller.sub)));
  },

  'POST /v1/status-links': async (event, deps, opts) => {
    engineer(event);
    const req = parseOrThrow(StatusLinkRequest, parseJsonBody(event));
    if (!opts.sessionKey) throw new ConflictError('Status links are not enabled: no session key is configured.');
    if ((await deps.store.listByCustomerCase(req.customerId, req.caseId)).length === 0) {
      throw new NotFoundError(`Customer ${req.customerId} has no case ${req.caseId} with partner incidents.`);
    }
    const exp = Math.floor(deps.clock.now().getTime() / 1000) + req.ttlMinutes * 60;
    const path = `/status/cases/${encodeURIComponent(req.caseId)}?link=${signStatusToken({ customerId: req.customerId, caseId: req.caseId, exp }, opts.sessionKey)}`;
    return json(201, { path, expiresAt: new Date(exp * 1000).toISOString() });
  },

  'GET /status/cases/{caseId}': (event, deps, opts) => renderStatusPage(event, deps, opts.sessionKey),

  'GET /v1/customer/cases/{caseId}/partner-incidents': async (event, deps) => {
    const caller = requireRole(callerOf(event), 'customer');
    const caseId = param(event, 'caseId');
    // an invalid or unknown case, or another customer's, all look the same: existence is not revealed
    const items = CaseIdParam.safeParse(caseId).success ? await deps.store.listByCustomerCase(caller.customerId!, caseId) : [];
    if (items.length === 0) throw new NotFoundError(`No case ${caseId} with partner incidents.`);
    return json(200, { caseId, incidents: items.map(customerIncidentView) });
  },
};

export function makeApiHandler(deps: HubDeps, opts: ApiOptions = {}) {
  return async (event: HttpEvent): Promise<HttpResult> => {
    const route = ROUTES[event.routeKey];
    try {
      if (!route) throw new NotFoundError(`No route ${event.routeKey}.`);
      return await route(event, deps, opts);
    } catch (err) {
      return errorResult(err, deps.log);
    }
  };
}

/** The api function as deployed: it cannot start without the status-link key (never a silent 409 later). */
export async function wireApi(env: NodeJS.ProcessEnv = process.env, read: SecretReader = awsSecretReader()) {
  const [deps, sessionKey] = await Promise.all([
    hubDeps({ connectors: buildCollaborationRegistry, bus: eventBridgeBus }),
    requiredSecret(STATUS_LINK_KEY, env, read, 'the api function signs and checks customer status links with it'),
  ]);
  return makeApiHandler(deps, { sessionKey });
}

let wired: Promise<ReturnType<typeof makeApiHandler>> | undefined;
export const handler = async (event: HttpEvent) => {
  // a failed start (say, Secrets Manager throttled) is retried by the next event, not remembered
  wired ??= wireApi().catch((e: unknown) => { wired = undefined; throw e; });
  return (await wired)(event);
};

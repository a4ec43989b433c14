/**
 * The HTTP API: engineer, customer and service routes (docs/api.md). Thin: the dispatcher checks roles and
 * parses the request from the route's declaration (topology/routes.ts); a handler calls a use case and maps.
 * Claims come from the API Gateway v2 JWT authorizer context.
 */
import type { HubDeps } from '../core/deps';
import { engineerView } from '../core/escalation';
import { InvalidCursorError, NotFoundError } from '../core/errors';
import { decodeTimelineCursor, TIMELINE_PAGE_DEFAULT } from '../core/timeline';
import { EscalationIdParam } from '../core/schemas';
import { partnerById } from '../core/deps';
import { manualInstructions } from '../connectors/manual/descriptor';
import { scheduleJointCall } from '../core/use-cases/joint-calls';
import { recordPartnerTicket } from '../core/use-cases/record-partner-ticket';
import { hmacStatusLinkSigner, STATUS_LINK_KEY } from '../core/status-links';
import { mintStatusLink, requireCustomerIncidents } from '../core/use-cases/customer-view';
import { withLambdaContext } from './adapters/logger';
import { renderStatusPage } from './status-page';
import { awsSecretReader, requiredSecret, type SecretReader } from './adapters/secrets';
import { cancelEscalation } from '../core/use-cases/cancel-escalation';
import { addComment, type CommentDestination } from '../core/use-cases/comments';
import { recordManualPartnerStatus } from '../core/use-cases/manual-partner-status';
import { retryOpening } from '../core/use-cases/retry-opening';
import { flagEscalation } from '../core/use-cases/flag-escalation';
import { listKnownIncidents } from '../core/use-cases/list-known-incidents';
import { decideKnownIncident } from '../core/use-cases/known-incident-matches';
import { openApiDocument } from './openapi';
import { buildCollaborationRegistry } from '../connectors/collaboration-registry';
import { eventBridgeBus } from './adapters/eventbridge-bus';
import { hubDeps } from './adapters/hub-deps';
import { json, type HttpEvent } from './http';
import { dispatch, type RouteHandlers } from './routes';

export interface ApiOptions {
  /** Signs customer status-page links and sessions; without it, links cannot be minted. */
  sessionKey?: string | undefined;
}

const param = (event: HttpEvent, name: string) => event.pathParameters?.[name] ?? '';

/** What `load` finds for the escalation id in the path; 404 for an unknown or malformed id. */
async function fromPath<T>(event: HttpEvent, load: (escalationId: string) => Promise<T | undefined>): Promise<T> {
  const id = param(event, 'escalationId');
  const found = EscalationIdParam.safeParse(id).success ? await load(id) : undefined;
  if (!found) throw new NotFoundError(`No escalation ${id}.`);
  return found;
}

/** What the comment route says about where the comment went (`forwarded` as before, and a sentence). */
const COMMENT_ANSWERS: Record<CommentDestination, [forwarded: string, message: string]> = {
  partner_ticket: ['pending', 'on its way to the partner ticket'],
  when_ticket_opens: ['when the partner ticket opens', 'kept, and forwarded to the partner ticket once it opens'],
  timeline_only: ['no', 'kept in the timeline; copy it to the partner\'s portal (this partner has no API)'],
};

export function makeApiHandler(deps: HubDeps, opts: ApiOptions = {}) {
  const signer = opts.sessionKey ? hmacStatusLinkSigner(opts.sessionKey) : undefined;
  const loadEscalation = (event: HttpEvent) => fromPath(event, (id) => deps.store.getEscalation(id));

  /** An engineer's verdict on a known partner incident of the escalation in the path. */
  const decide = (match: 'confirmed' | 'dismissed') => async ({ event, caller }: { event: HttpEvent; caller: { sub: string } }) => {
    const esc = await loadEscalation(event);
    return json(200, engineerView(await decideKnownIncident(deps, esc.escalationId, param(event, 'incidentId'), match, caller.sub)));
  };

  const routes: RouteHandlers<'api'> = {
    'GET /health': async () => json(200, { status: 'ok' }),
    'GET /openapi.json': async () => json(200, openApiDocument()),

    'POST /v1/escalations': async ({ caller, body }) => {
      const r = await flagEscalation(deps, body, caller.sub);
      return json(r.created ? 202 : 200, engineerView(r.escalation));
    },

    'GET /v1/escalations': async ({ query }) => json(200, { items: (await deps.store.listByCase(query.caseId)).map(engineerView) }),

    'GET /v1/escalations/{escalationId}': async ({ event }) => {
      const { escalation: esc, timeline, timelineBefore } = await fromPath(event, (id) => deps.store.getEscalationWithTimeline(id));
      const details = await deps.store.getCaseDetails(esc);
      const profile = partnerById(deps.config, esc.partnerId);
      const manual = esc.ticketMode === 'manual' && profile ? manualInstructions(profile) : undefined;
      // the newest entries only: an escalation with thousands of comments still answers in one small page
      return json(200, { ...engineerView(esc), ...(manual ? { manual } : {}), findings: details?.findings ?? null, timeline, ...(timelineBefore ? { timelineBefore } : {}) });
    },

    'GET /v1/escalations/{escalationId}/timeline': async ({ event, query }) => {
      const before = query.before === undefined ? undefined : decodeTimelineCursor(query.before);
      if (query.before !== undefined && before === undefined) throw new InvalidCursorError('The cursor in "before" is not one this hub handed out; use timelineBefore or before from an earlier answer.');
      const page = await fromPath(event, (id) => deps.store.getTimelinePage(id, { before, limit: query.limit ? Number(query.limit) : TIMELINE_PAGE_DEFAULT }));
      return json(200, { items: page.items, before: page.before });
    },

    'POST /v1/escalations/{escalationId}/joint-calls': async ({ event, caller, body }) =>
      json(201, await scheduleJointCall(deps, await loadEscalation(event), body, caller.sub)),

    'POST /v1/escalations/{escalationId}/partner-ticket': async ({ event, caller, body }) => {
      const esc = await loadEscalation(event);
      return json(200, engineerView(await recordPartnerTicket(deps, esc.escalationId, body, caller.sub)));
    },

    'POST /v1/escalations/{escalationId}/comments': async ({ event, caller, body }) => {
      const destination = await addComment(deps, await loadEscalation(event), body.body, caller.sub);
      const [forwarded, message] = COMMENT_ANSWERS[destination];
      return json(202, { status: 'accepted', forwarded, destination, message });
    },

    'POST /v1/escalations/{escalationId}/retry': async ({ event, caller }) => {
      const esc = await loadEscalation(event);
      return json(200, engineerView(await retryOpening(deps, esc.escalationId, caller.sub)));
    },

    'POST /v1/escalations/{escalationId}/partner-status': async ({ event, caller, body }) => {
      const esc = await loadEscalation(event);
      return json(200, engineerView(await recordManualPartnerStatus(deps, esc.escalationId, body, caller.sub)));
    },

    'POST /v1/escalations/{escalationId}/cancel': async ({ event, caller, body }) => {
      const esc = await loadEscalation(event);
      return json(200, engineerView(await cancelEscalation(deps, esc.escalationId, body.reason, caller.sub)));
    },

    'POST /v1/escalations/{escalationId}/known-incidents/{incidentId}/confirm': decide('confirmed'),
    'POST /v1/escalations/{escalationId}/known-incidents/{incidentId}/dismiss': decide('dismissed'),

    'POST /v1/status-links': async ({ body }) => json(201, await mintStatusLink(deps, signer, body)),

    'GET /status/cases/{caseId}': ({ event }) => renderStatusPage(event, deps, signer),

    'GET /v1/partners/{partnerId}/known-incidents': async ({ event }) => json(200, await listKnownIncidents(deps, param(event, 'partnerId'))),

    'GET /v1/customer/cases/{caseId}/partner-incidents': async ({ event, caller }) => {
      const caseId = param(event, 'caseId');
      return json(200, { caseId, incidents: await requireCustomerIncidents(deps, caller.customerId!, caseId) });
    },
  };
  return dispatch(routes, deps.log);
}

/** The api function as deployed: it cannot start without the status-link key (never a silent 409 later). */
export async function wireApi(env: NodeJS.ProcessEnv = process.env, read: SecretReader = awsSecretReader()) {
  const [deps, sessionKey] = await Promise.all([
    hubDeps('api', { connectors: buildCollaborationRegistry, bus: eventBridgeBus }),
    requiredSecret(STATUS_LINK_KEY, env, read, 'the api function signs and checks customer status links with it'),
  ]);
  return makeApiHandler(deps, { sessionKey });
}

let wired: Promise<ReturnType<typeof makeApiHandler>> | undefined;
export const handler = withLambdaContext(async (event: HttpEvent) => {
  // a failed start (say, Secrets Manager throttled) is retried by the next event, not remembered
  wired ??= wireApi().catch((e: unknown) => { wired = undefined; throw e; });
  return (await wired)(event);
});

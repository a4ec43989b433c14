/**
 * The HTTP routes, each declared once: method and path, the function that answers, how the caller is
 * known (`auth`) and which roles may call, the request (body and query, zod from core/schemas) and every
 * answer (status → zod schema from core/responses, or a page). Derived from it: the topology's routes (API
 * Gateway and the local front door), the handler maps (functions/routes.ts: a declared route without a
 * handler, or a handler without a declaration, fails `tsc`), role checks and request parsing (done by the
 * dispatcher, not by each handler), the OpenAPI document, the tenant-isolation matrix and the contract tests.
 * Errors always answer core/responses ErrorAnswer; `answers` lists the other statuses.
 */
import type * as z from 'zod';
import {
  CommentAnswer, CustomerIncidentsAnswer, DeadLettersAnswer, DoctorAnswer, EscalationAnswer, EscalationDetailAnswer, EscalationListAnswer,
  DeskEventAnswer, HealthAnswer, JointCallAnswer, KnownIncidentsAnswer, OpenApiAnswer, RedriveAnswer, StatusLinkAnswer, TimelinePageAnswer, WebhookAcceptedAnswer,
  WebhookAnsweredAnswer,
} from '../core/responses';
import {
  AddCommentRequest, CancelRequest, KnownIncidentDecisionRequest, CreateEscalationRequest, DeadLettersQuery, DeskEventQuery, JointCallRequestBody, ListEscalationsQuery,
  PartnerStatusRequest, PartnerTicketRequest, RedriveRequest, RetryRequest, StatusLinkRequest, TimelinePageQuery, type Role,
} from '../core/schemas';
import type { FunctionName } from './topology';

/** An answer: a JSON body (its schema), an HTML page, a redirect, or text a provider's handshake asks for. */
/** `also`: an answer in another form than JSON (text/plain unless `contentType` says otherwise). */
export type Answer = { json: z.ZodType; also?: { text: string; contentType?: 'text/plain' | 'text/xml' } } | { html: string } | { redirect: string };

/** A route's key: `METHOD /path`, the path in API Gateway v2 form (`{param}` placeholders). */
export type RouteKeyForm = `${'GET' | 'POST'} /${string}`;

export interface RouteDeclaration {
  function: FunctionName;
  /**
   * `jwt`: the authorizer validates the bearer token and hands its claims to the handler.
   * `optional`: no authorizer in AWS (the handler has its own proof, e.g. a signed session cookie);
   * the local runtime passes a valid bearer's claims along when one is sent.
   * `none`: no bearer token (webhooks prove themselves by their signature).
   */
  auth: 'jwt' | 'none' | 'optional';
  /** The roles that may call (checked by the dispatcher); absent on routes without a bearer check. */
  roles?: readonly Role[];
  /** The JSON body; `optionalBody`: an empty body is taken as `{}`. */
  body?: z.ZodType;
  optionalBody?: true;
  query?: z.ZodType;
  answers: Readonly<Record<number, Answer>>;
}

const STAFF = ['engineer', 'admin'] as const;
const engineerRoute = <const R extends { answers: Record<number, Answer> }>(r: R) =>
  ({ ...r, function: 'api', auth: 'jwt', roles: STAFF } as const);
const escalation = { json: EscalationAnswer } as const;

export const ROUTE_DECLARATIONS = {
  'GET /health': { function: 'api', auth: 'none', answers: { 200: { json: HealthAnswer } } },
  'GET /openapi.json': { function: 'api', auth: 'none', answers: { 200: { json: OpenApiAnswer } } },
  // flagging is idempotent per case and partner: 202 for a new escalation, 200 with the existing one
  'POST /v1/escalations': engineerRoute({ body: CreateEscalationRequest, answers: { 200: escalation, 202: escalation } }),
  'GET /v1/escalations': engineerRoute({ query: ListEscalationsQuery, answers: { 200: { json: EscalationListAnswer } } }),
  'GET /v1/escalations/{escalationId}': engineerRoute({ answers: { 200: { json: EscalationDetailAnswer } } }),
  'GET /v1/escalations/{escalationId}/timeline': engineerRoute({ query: TimelinePageQuery, answers: { 200: { json: TimelinePageAnswer } } }),
  'POST /v1/escalations/{escalationId}/comments': engineerRoute({ body: AddCommentRequest, answers: { 202: { json: CommentAnswer } } }),
  'POST /v1/escalations/{escalationId}/cancel': engineerRoute({ body: CancelRequest, answers: { 200: escalation } }),
  'POST /v1/escalations/{escalationId}/joint-calls': engineerRoute({ body: JointCallRequestBody, optionalBody: true, answers: { 201: { json: JointCallAnswer } } }),
  'POST /v1/escalations/{escalationId}/partner-ticket': engineerRoute({ body: PartnerTicketRequest, answers: { 200: escalation } }),
  'POST /v1/escalations/{escalationId}/retry': engineerRoute({ body: RetryRequest, optionalBody: true, answers: { 200: escalation } }),
  'POST /v1/escalations/{escalationId}/partner-status': engineerRoute({ body: PartnerStatusRequest, answers: { 200: escalation } }),
  // an engineer's verdict on a partner incident the hub attached (API.md "Known partner incidents")
  'POST /v1/escalations/{escalationId}/known-incidents/{incidentId}/confirm': engineerRoute({ body: KnownIncidentDecisionRequest, optionalBody: true, answers: { 200: escalation } }),
  'POST /v1/escalations/{escalationId}/known-incidents/{incidentId}/dismiss': engineerRoute({ body: KnownIncidentDecisionRequest, optionalBody: true, answers: { 200: escalation } }),
  'GET /v1/customer/cases/{caseId}/partner-incidents': {
    function: 'api', auth: 'jwt', roles: ['customer'], answers: { 200: { json: CustomerIncidentsAnswer } },
  },
  'GET /v1/partners/{partnerId}/known-incidents': engineerRoute({ answers: { 200: { json: KnownIncidentsAnswer } } }),
  'POST /v1/status-links': engineerRoute({ body: StatusLinkRequest, answers: { 201: { json: StatusLinkAnswer } } }),
  // a customer bearer token, a signed link (which becomes a session cookie: 303 to the clean address), or that cookie
  'GET /status/cases/{caseId}': {
    function: 'api', auth: 'optional',
    answers: { 200: { html: 'the status page' }, 303: { redirect: 'to the page, with a session cookie' }, 401: { html: 'link expired' }, 404: { html: 'not found' } },
  },
  'GET /v1/admin/dead-letters': { function: 'admin', auth: 'jwt', roles: ['admin'], query: DeadLettersQuery, answers: { 200: { json: DeadLettersAnswer } } },
  'POST /v1/admin/dead-letters/redrive': {
    function: 'admin', auth: 'jwt', roles: ['admin'], body: RedriveRequest, optionalBody: true, answers: { 200: { json: RedriveAnswer } },
  },
  // `hub doctor` on a running hub: the checks run where the partner secrets are (connectors/doctor.ts); no body
  'POST /v1/admin/doctor': { function: 'admin', auth: 'jwt', roles: ['admin'], answers: { 200: { json: DoctorAnswer } } },
  // the raw bytes are the request (verified against the partner's signature): no body schema
  'POST /v1/webhooks/{partnerId}': {
    function: 'webhook', auth: 'none', answers: { 200: { json: WebhookAnsweredAnswer }, 202: { json: WebhookAcceptedAnswer } },
  },
  'POST /v1/webhooks/{partnerId}/collaboration': {
    function: 'webhook', auth: 'none',
    // Graph's validation handshake is answered with its token as text/plain
    answers: { 200: { json: WebhookAnsweredAnswer, also: { text: 'validation token' } }, 202: { json: WebhookAcceptedAnswer } },
  },
  // the vendor's own desk flags a case (signed as that desk signs; the raw bytes are the request): 202 a new
  // escalation, 200 anything else it acknowledges (the escalation already there, ignored, not flagged, duplicate);
  // a desk that expects its own answer gets it (a Salesforce Outbound Message: the SOAP Ack, text/xml)
  'POST /v1/desks/{deskId}/events': {
    function: 'webhook', auth: 'none', query: DeskEventQuery,
    answers: {
      200: { json: DeskEventAnswer, also: { text: 'the answer the desk expects (a Salesforce Outbound Message: notificationsResponse with <Ack>true</Ack>)', contentType: 'text/xml' } },
      202: { json: DeskEventAnswer },
    },
  },
} as const satisfies Record<RouteKeyForm, RouteDeclaration>;

export type RouteKey = keyof typeof ROUTE_DECLARATIONS;
/** The routes a function answers. */
export type RoutesOf<F extends FunctionName> = { [K in RouteKey]: (typeof ROUTE_DECLARATIONS)[K]['function'] extends F ? K : never }[RouteKey];

/** Every declaration in the order above, with its method and path (read from its key). */
export const DECLARED_ROUTES: readonly (RouteDeclaration & { key: RouteKey; method: 'GET' | 'POST'; path: string })[] =
  (Object.keys(ROUTE_DECLARATIONS) as RouteKey[]).map((key) => {
    const [method, path] = key.split(' ') as ['GET' | 'POST', string];
    return { key, method, path, ...ROUTE_DECLARATIONS[key] };
  });

/**
 * The single declaration of the hub's moving parts: functions, HTTP routes, queues, bus rules and
 * schedules. The CDK stack and the local runtime are both built from it, so they cannot drift.
 */
import { QUEUES } from '../core/deps';
import { EVENT_SOURCE } from '../core/events';
import { NOTIFICATION_EVENTS } from '../core/notifications';
import { DECLARED_ROUTES } from './routes';

export type FunctionName = 'api' | 'webhook' | 'partner-worker' | 'status-sync' | 'comment-forwarder' | 'sweep' | 'poller' | 'notifier' | 'admin' | 'meeting-subscriptions' | 'mail-inbound' | 'desk-writeback';

export interface FunctionSpec {
  name: FunctionName;
  /** Entry file, relative to the repository root; it exports `handler`. */
  entry: string;
  description: string;
  timeoutSeconds: number;
  memoryMb: number;
}

/** A route as API Gateway and the local front door see it. */
export type RouteSpec = Pick<(typeof DECLARED_ROUTES)[number], 'method' | 'path' | 'function' | 'auth'>;

export interface QueueSpec {
  name: string;
  consumer: FunctionName;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  batchSize: number;
  /** Most concurrent consumer invocations for this queue (per partner, so one partner cannot starve others). */
  maxConcurrency: number;
  partnerId?: string;
}

/** An EventBridge event pattern (the forms the topology uses: exact values, prefix, numeric, exists). */
export type EventPattern = Record<string, unknown>;

export interface RuleSpec { name: string; pattern: EventPattern; targetQueue: string }
export interface ScheduleSpec { name: string; function: FunctionName; everyMinutes: number }

/**
 * Where partner mail enters the hub: in AWS an SES receipt rule stores it in the stack's mail bucket and
 * invokes `function`; locally the SMTP listener hands it to the same function's deps. Only when some
 * partner takes e-mail (`partners`, by id).
 */
export interface MailSpec { function: FunctionName; partners: string[] }

export interface Topology {
  functions: FunctionSpec[];
  routes: RouteSpec[];
  queues: QueueSpec[];
  rules: RuleSpec[];
  schedules: ScheduleSpec[];
  mail?: MailSpec;
}

/** The domain events that write to a desk case (core/use-cases/desk-events.ts `deskUpdateFor`). */
export const DESK_WRITEBACK_EVENTS = [
  // a ticket number an engineer records by hand (a manual partner, or one opened by phone) is an opening too
  'PartnerIncidentOpened', 'PartnerTicketRecorded', 'PartnerStatusChanged', 'EscalationReferred', 'EscalationAged', 'KnownIncidentConfirmed', 'ConfirmedIncidentResolved',
] as const;

/** The connector of partners reached by e-mail (connectors/email): they bring the inbound mail path. */
export const MAIL_CONNECTOR = 'email';

/** The HTTP routes, as API Gateway and the local front door need them (declared in topology/routes.ts). */
export const ROUTES: readonly RouteSpec[] = DECLARED_ROUTES.map((r) => ({ method: r.method, path: r.path, function: r.function, auth: r.auth }));

const fn = (name: FunctionName, description: string, timeoutSeconds = 30, memoryMb = 512): FunctionSpec =>
  ({ name, entry: `functions/${name}.ts`, description, timeoutSeconds, memoryMb });

/**
 * @param partners one work queue and one routing rule per partner; those on the `email` connector add the
 *   inbound mail path (`mail`, and its function)
 * @param subscribers the notification subscribers: the notifier's rule matches only the events someone
 *   subscribed to (no subscribers, no rule: an escalation then costs no notifier invocations)
 * @param desks the vendor's desks: with any, the `desk-writeback` function, its queue and its rule (none:
 *   no rule, so events cost no write-back invocations)
 */
export function buildTopology(
  partners: readonly { id: string; connector?: string }[], subscribers: readonly { events: readonly string[] }[] = [], desks: readonly { id: string }[] = [],
): Topology {
  const subscribed = NOTIFICATION_EVENTS.filter((e) => subscribers.some((s) => s.events.includes(e)));
  const mailPartners = partners.filter((p) => p.connector === MAIL_CONNECTOR).map((p) => p.id);
  return {
    functions: [
      fn('api', 'Engineer, customer and service routes of the HTTP API', 10),
      fn('webhook', 'Verifies partner webhooks over the raw bytes, dedupes, enqueues', 10),
      fn('partner-worker', 'Opens partner incidents through the connectors, with retries', 60),
      fn('status-sync', 'Applies partner status updates in order and records them', 30),
      fn('comment-forwarder', 'Forwards engineer comments to partner tickets', 30),
      fn('sweep', 'Re-drives open work that stopped moving and reports aged escalations', 60),
      fn('poller', 'Polls partners whose status does not come back by webhook', 60),
      fn('notifier', 'Delivers domain events to subscribers (signed webhooks, Teams, e-mail)', 30),
      fn('admin', 'Operator routes: dead letters (list with reasons, redrive)', 30),
      fn('meeting-subscriptions', 'Creates, renews and ends the Graph subscriptions that bring joint-call events', 60),
      // a 40 MB mail (SES's limit for the S3 action) is read whole and parsed: the memory is for that
      ...(desks.length ? [fn('desk-writeback', 'Writes partner ticket numbers, statuses and comments back to the vendor\'s desk cases', 30)] : []),
      ...(mailPartners.length ? [fn('mail-inbound', 'Reads partner mail that SES received and stored, and applies it like a webhook', 60, 1024)] : []),
    ],
    routes: [...ROUTES],
    queues: [
      ...partners.map((p): QueueSpec => ({
        name: QUEUES.partnerWork(p.id), consumer: 'partner-worker', partnerId: p.id,
        visibilityTimeoutSeconds: 6 * 60, maxReceiveCount: 5, batchSize: 5, maxConcurrency: 5,
      })),
      { name: QUEUES.inbound, consumer: 'status-sync', visibilityTimeoutSeconds: 3 * 60, maxReceiveCount: 5, batchSize: 10, maxConcurrency: 10 },
      { name: QUEUES.comments, consumer: 'comment-forwarder', visibilityTimeoutSeconds: 3 * 60, maxReceiveCount: 5, batchSize: 5, maxConcurrency: 5 },
      { name: QUEUES.notifications, consumer: 'notifier', visibilityTimeoutSeconds: 60, maxReceiveCount: 5, batchSize: 10, maxConcurrency: 5 },
      // one at a time per desk case is not needed: every write carries the escalation's current state
      ...(desks.length ? [{ name: QUEUES.deskWriteback, consumer: 'desk-writeback', visibilityTimeoutSeconds: 60, maxReceiveCount: 8, batchSize: 5, maxConcurrency: 2 } satisfies QueueSpec] : []),
    ],
    rules: [
      ...partners.map((p): RuleSpec => ({
        name: `escalation-requested-${p.id}`,
        pattern: { source: [EVENT_SOURCE], 'detail-type': ['EscalationRequested'], detail: { partnerId: [p.id] } },
        targetQueue: QUEUES.partnerWork(p.id),
      })),
      { name: 'comment-added', pattern: { source: [EVENT_SOURCE], 'detail-type': ['CommentAdded'] }, targetQueue: QUEUES.comments },
      {
        name: 'incident-opened-with-comments',
        pattern: { source: [EVENT_SOURCE], 'detail-type': ['PartnerIncidentOpened'], detail: { pendingComments: [{ numeric: ['>', 0] }] } },
        targetQueue: QUEUES.comments,
      },
      ...(desks.length ? [{
        name: 'desk-writeback',
        pattern: { source: [EVENT_SOURCE], 'detail-type': [...DESK_WRITEBACK_EVENTS] },
        targetQueue: QUEUES.deskWriteback,
      }] : []),
      ...(subscribed.length ? [{
        name: 'notify-subscribers',
        pattern: { source: [EVENT_SOURCE], 'detail-type': [...subscribed] },
        targetQueue: QUEUES.notifications,
      }] : []),
    ],
    schedules: [
      { name: 'sweep', function: 'sweep', everyMinutes: 1 },
      { name: 'poller', function: 'poller', everyMinutes: 1 },
      // subscriptions recorded by a joint call are created on the next run; one Query when nothing is due
      { name: 'meeting-subscriptions', function: 'meeting-subscriptions', everyMinutes: 1 },
    ],
    ...(mailPartners.length ? { mail: { function: 'mail-inbound', partners: mailPartners } } : {}),
  };
}

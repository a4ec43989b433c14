/**
 * What each function may touch in AWS: the least-privilege profile the stack grants, derived from the
 * use cases each handler calls (core/use-cases) and the DynamoDB calls the store makes for them
 * (functions/adapters/dynamo-store.ts). When a use case starts publishing, sending to a queue or calling a
 * partner, update its function's profile here; test/infra/hub-stack.test.ts pins these grants.
 */
import { QUEUES } from '../core/deps';
import type { FunctionName, QueueSpec } from './topology';

/**
 * DynamoDB item actions the store issues; it never scans, or uses transactions or PartiQL. It batches only
 * the marks of webhooks one process serves at once (functions/adapters/delivery-marks.ts): the local
 * runtime does, a Lambda container (one request at a time) never.
 */
export type TableAction = 'dynamodb:GetItem' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem' | 'dynamodb:DeleteItem' | 'dynamodb:Query';

/**
 * Which connectors a function builds (connectors/*-registry.ts), so that its bundle carries only those
 * halves: `partner-calls` the ticketing connectors' partner calls (ticketing-registry.ts), `meetings` the
 * collaboration connectors' (collaboration-registry.ts), `webhooks` every connector's inbound half
 * (webhook-registry.ts), `polling` the ticketing connectors' partner calls and the service-health sources'
 * (poller-registry.ts), `desks` the desks' write-back (desk-registry.ts). The local runtime builds the same set for each function.
 */
export type ConnectorSet = 'partner-calls' | 'meetings' | 'webhooks' | 'polling' | 'desks';

/** Which queues a function sends to (it consumes the queues the topology names it consumer of). */
export type SendTo = 'none' | 'inbound' | 'inbound-and-desk' | 'own-queues' | 'work-queues';

export interface AccessProfile {
  table: TableAction[];
  /** events:PutEvents on the hub's bus. */
  putEvents: boolean;
  sendTo: SendTo;
  /** Reads the partner secrets (the connectors need credentials and webhook secrets). */
  readsPartnerSecrets: boolean;
  /** The connectors it builds (with the partner secrets); absent: none, every partner call refuses. */
  connectors?: ConnectorSet;
  /** ses:SendEmail (e-mail subscribers). */
  sendsEmail?: boolean;
  /**
   * Sends partner mail (the email connector's HTTP half: incidents and comments): ses:SendEmail and
   * ses:SendRawEmail from the `from` identities of the partners on the email connector, when there are any.
   */
  sendsPartnerMail?: boolean;
  /** Reads the mail SES received and stored in the stack's mail bucket (s3:GetObject under its prefix). */
  readsInboundMail?: boolean;
  /** Reads the dead-letter queues and moves their messages back (the admin routes); gets DLQ_TARGETS. */
  managesDeadLetters?: boolean;
  /** Reads the status-link key the stack generates (signs and checks customer status links). */
  signsStatusLinks?: boolean;
  /** Gets HUB_PUBLIC_URL, the hub's public base URL (it hands it to partners as a webhook address). */
  publicUrl?: boolean;
}

/**
 * DLQ_TARGETS (infra/hub-function.ts, read by functions/adapters/sqs-dead-letters.ts): each work queue's
 * dead-letter queue and the work queue itself, by name, and the prefixes that make a queue's name its ARN
 * and its URL in the stack's account and region.
 */
export interface DeadLetterTargetsEnv { arn: string; url: string; queues: Record<string, [deadLetterQueue: string, workQueue: string]> }

/**
 * Every function gets the same item-level table actions: the ones DynamoEscalationStore issues, on the
 * table and its one index (GSI2: the open-work index and the subscriptions due). Narrowing them per function is possible (the store calls of each use
 * case are few) but brittle while use cases grow: a new store call in a use case would fail in AWS only,
 * with AccessDenied. What is excluded matters more: no Scan, no Batch*, no Transact*, no PartiQL, no
 * DescribeTable, no streams, no table management.
 */
export const TABLE_READ_WRITE: TableAction[] = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'];

export const ACCESS: Record<FunctionName, AccessProfile> = {
  /**
   * flagEscalation, recordPartnerTicket, cancelEscalation, addComment, scheduleJointCall: publish
   * EscalationRequested, PartnerTicketRecorded, EscalationCancelled, CommentAdded, JointCallScheduled.
   * Flagging also attaches the partner's active known incidents (a Query of the partner's service health,
   * a put of the escalation's watcher item; decideKnownIncident confirms or dismisses them, a confirmation
   * publishing KnownIncidentConfirmed): table only, no call to the source. Reads partner secrets: flagging asks the partner's connector its mode, joint calls call the
   * collaboration connector (Zoom / Teams credentials). Mints and checks customer status links.
   */
  api: { table: TABLE_READ_WRITE, putEvents: true, sendTo: 'none', readsPartnerSecrets: true, connectors: 'meetings', signsStatusLinks: true },
  /**
   * ingestWebhook / ingestCollaborationWebhook: verify with the connector's secret, dedupe, enqueue to inbound.
   * takeDeskEvent: flags the case (publishes EscalationRequested) or notes why not on the desk-writeback queue.
   */
  webhook: { table: TABLE_READ_WRITE, putEvents: true, sendTo: 'inbound-and-desk', readsPartnerSecrets: true, connectors: 'webhooks' },
  /**
   * openPartnerIncident: calls the partner (or mails it), publishes PartnerIncidentOpened / EscalationReferred,
   * re-queues a retry on its partner's queue.
   */
  'partner-worker': { table: TABLE_READ_WRITE, putEvents: true, sendTo: 'own-queues', readsPartnerSecrets: true, connectors: 'partner-calls', sendsPartnerMail: true },
  /**
   * applyPartnerUpdates: publishes PartnerStatusChanged / EscalationReferred; reads the incident a thin
   * webhook names (TSANet: `getIncident` by token) before applying it, so it builds the partner calls.
   */
  'status-sync': { table: TABLE_READ_WRITE, putEvents: true, sendTo: 'none', readsPartnerSecrets: true, connectors: 'partner-calls' },
  /** forwardComment / forwardComments: calls the partner's connector (an e-mail partner gets a reply in the thread); publishes nothing. */
  'comment-forwarder': { table: TABLE_READ_WRITE, putEvents: false, sendTo: 'none', readsPartnerSecrets: true, connectors: 'partner-calls', sendsPartnerMail: true },
  /** sweep: publishes EscalationAged, re-drives to the partner-work, inbound and comments queues; never calls a partner. */
  sweep: { table: TABLE_READ_WRITE, putEvents: true, sendTo: 'work-queues', readsPartnerSecrets: false },
  /**
   * pollPartners: calls partners (credentials), applies updates like status-sync (publishes PartnerStatusChanged).
   * pollServiceHealth: reads the service-health sources (publishes KnownIncidentStarted / KnownIncidentResolved),
   * and brings their incidents to the partner's open escalations (a Query of its watchers, an update of
   * each escalation, a delete of an ended one's watcher), publishing ConfirmedIncidentResolved.
   */
  poller: { table: TABLE_READ_WRITE, putEvents: true, sendTo: 'none', readsPartnerSecrets: true, connectors: 'polling' },
  /**
   * fanOutNotification re-queues one delivery per subscriber onto its own queue; deliverNotification signs
   * webhooks with subscriber secrets and sends e-mail through SES. Publishes nothing.
   */
  notifier: { table: TABLE_READ_WRITE, putEvents: false, sendTo: 'own-queues', readsPartnerSecrets: true, sendsEmail: true },
  /**
   * listDeadLetters reads failure reasons (get); redrive starts SQS message-move tasks. `hub doctor`
   * (connectors/doctor.ts) reads the partner secrets and makes each connector's harmless calls (a token, a
   * read), and prints the webhook URLs under the hub's public URL; it builds no registry.
   */
  admin: { table: ['dynamodb:GetItem'], putEvents: false, sendTo: 'none', readsPartnerSecrets: true, managesDeadLetters: true, publicUrl: true },
  /**
   * maintainMeetingSubscriptions: calls Graph with the collaboration credentials (create, renew,
   * reauthorize, delete subscriptions), writes the subscription records and timeline notes; needs the hub's
   * public URL (HUB_PUBLIC_URL) for the notification URL. Publishes nothing, sends to no queue.
   */
  'meeting-subscriptions': { table: TABLE_READ_WRITE, putEvents: false, sendTo: 'none', readsPartnerSecrets: true, connectors: 'meetings', publicUrl: true },
  /**
   * ingestPartnerMail, for each mail SES stored: reads it from the mail bucket, matches it to its escalation
   * with the email connector's mail reader (an inbound half, with the partner secrets every inbound half's
   * settings are checked with), records it and enqueues it to inbound like a webhook. Publishes nothing.
   */
  'mail-inbound': { table: TABLE_READ_WRITE, putEvents: false, sendTo: 'inbound', readsPartnerSecrets: true, connectors: 'webhooks', readsInboundMail: true },
  /** writeBackToDesk: writes to the desk case with the desk's credentials; re-queues a throttled write after its Retry-After. */
  'desk-writeback': { table: TABLE_READ_WRITE, putEvents: false, sendTo: 'own-queues', readsPartnerSecrets: true, connectors: 'desks' },
};

/**
 * The queues a function may send to: what its `sendTo` names, of the topology's queues. The stack hands it
 * their URLs (infra/hub-services.ts); the local runtime refuses the others (local/hub.ts).
 */
export function queuesGranted(fn: FunctionName, sendTo: SendTo, queues: readonly QueueSpec[]): QueueSpec[] {
  switch (sendTo) {
    case 'none': return [];
    case 'inbound': return queues.filter((q) => q.name === QUEUES.inbound);
    // the webhook function also notes on a desk case why its event flagged nothing
    case 'inbound-and-desk': return queues.filter((q) => q.name === QUEUES.inbound || q.name === QUEUES.deskWriteback);
    // partner-worker re-queues a retry onto the queue it consumes (one per partner); the notifier fans out onto its own
    case 'own-queues': return queues.filter((q) => q.consumer === fn);
    // the sweep re-drives escalations to their partner's queue, stored deliveries to inbound, pending comments to comments
    case 'work-queues': return queues.filter((q) => q.partnerId !== undefined || q.name === QUEUES.inbound || q.name === QUEUES.comments);
  }
}

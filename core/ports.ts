/**
 * Ports: what the use cases need from the outside world. Adapters live in `functions/adapters`
 * (AWS) and `local/` (embedded); tests pass dynalite-backed adapters or in-memory fakes.
 */
import type { CaseDetails, CustomerMandate, Escalation, PartnerStatus } from './escalation';
import type { HubEvent } from './events';
import type { TimelinePage, TimelinePosition } from './timeline';

export interface TimelineEntry {
  at: string;
  type: string;
  actor: string;
  detail: Record<string, unknown>;
}

/**
 * Names one comment's timeline item: the comment's id and the item's sort key. The key is the comment's
 * place in time order, `T#<at>#comment#<commentId>` (commentRef in core/timeline.ts), so that timeline
 * pages read comments in time order with every other entry; comments recorded before time-ordered keys
 * sit under `T#comment#<commentId>` (only listPendingComments finds those).
 */
export interface CommentRef { commentId: string; key: string }

/** An engineer's comment not yet forwarded to the partner ticket (one timeline item of its own). */
export interface PendingComment extends CommentRef { body: string; at: string }

/** A pending comment claimed by one forwarder: `token` fences its release. */
export interface ClaimedComment extends PendingComment { token: string; claims: number }

/** The escalations: their records and case details, the attempt lease, and the partner ticket links that find them. */
export interface EscalationRecords {
  /**
   * Records a new escalation unless one already exists for (caseId, partnerId).
   * Idempotent under concurrency: exactly one caller gets `created: true`. When the case already has an
   * escalation for another customer (any partner), that one is answered (not created): the caller refuses.
   */
  createEscalation(draft: Escalation, details: CaseDetails): Promise<{ created: boolean; escalation: Escalation }>;
  /** Strongly consistent read; `undefined` when unknown. */
  getEscalation(escalationId: string): Promise<Escalation | undefined>;
  /** The findings and contact, kept apart from the escalation item so status writes stay small. */
  getCaseDetails(escalation: Pick<Escalation, 'caseId' | 'partnerId'>): Promise<CaseDetails | undefined>;
  listByCase(caseId: string): Promise<Escalation[]>;
  /**
   * A customer's escalations of a case. Another customer's case costs the same store work as an unknown
   * one (both find nothing in one query), so timing reveals nothing.
   */
  listByCustomerCase(customerId: string, caseId: string): Promise<Escalation[]>;
  /**
   * Writes `next` if the stored version is still `next.version - 1`; else throws VersionConflictError.
   * `keepDue`: leave the open-work index entry as it is. Only for a change that moves the escalation's due
   * time later (e.g. taking an attempt lease): the index may then run early, never late, and the sweep
   * skips what it finds not due yet. It saves the index writes of moving the entry.
   */
  saveEscalation(next: Escalation, opts?: { keepDue?: boolean }): Promise<void>;
  /**
   * Takes the attempt lease in one conditional write, when the escalation is `requested`, opened through
   * the partner's API (not `manual`), held by no unexpired lease, and its next attempt (if scheduled) is
   * due by `dueBy`: sets `leaseUntil`, counts the attempt, and answers the escalation as written;
   * `undefined` when it is not to be attempted now. Moves the due time later, so the open-work entry stays
   * (as `keepDue` in saveEscalation).
   */
  claimAttempt(escalationId: string, now: Date, leaseUntil: Date, dueBy: Date): Promise<Escalation | undefined>;
  /**
   * Renews the attempt lease of the attempt that claimed `attempts` (its fencing token), in one conditional
   * write: only while the escalation is `requested`, no later attempt has claimed it and the lease has not
   * run out. Answers the escalation as written, or `undefined` when the lease is lost (the attempt must
   * then make no partner call).
   */
  renewAttempt(escalationId: string, attempts: number, now: Date, leaseUntil: Date): Promise<Escalation | undefined>;
  /**
   * partner ticket → escalation, for webhook look-ups. Written once (conditionally): linking the same ticket
   * to the same escalation again is a no-op; to another escalation throws TicketLinkConflictError and leaves
   * the link as it is (never overwritten).
   */
  putTicketLink(partnerId: string, ticketId: string, escalationId: string): Promise<void>;
  findByTicket(partnerId: string, ticketId: string): Promise<string | undefined>;
}

/** An escalation's timeline: appending to it, reading it whole or a page at a time. */
export interface TimelineStore {
  /** Appends to the timeline; with a `dedupeKey`, a second append of the same key is ignored (returns false). */
  appendTimeline(escalationId: string, entry: TimelineEntry, dedupeKey?: string): Promise<boolean>;
  /**
   * The whole timeline, oldest first, including the entries derived from the escalation item
   * (core/timeline.ts). Its cost grows with the timeline: for use cases that must see every entry; what
   * people read goes through the pages below.
   */
  getTimeline(escalationId: string): Promise<TimelineEntry[]>;
  /**
   * The escalation and the newest `limit` (default RECENT_TIMELINE_ENTRIES) entries of its timeline, oldest
   * first, strongly consistent; `timelineBefore` pages on to older ones (`null`: none). `undefined` when unknown.
   */
  getEscalationWithTimeline(escalationId: string, limit?: number): Promise<{ escalation: Escalation; timeline: TimelineEntry[]; timelineBefore: string | null } | undefined>;
  /**
   * The newest `limit` entries older than `before` (a position from decodeTimelineCursor; all, without it),
   * oldest first; its cost does not grow with the timeline. `undefined` when the escalation is unknown.
   */
  getTimelinePage(escalationId: string, opts: { before?: TimelinePosition | undefined; limit: number }): Promise<TimelinePage | undefined>;
}

/** Engineers' comments on their way to the partner ticket: pending, claimed by one forwarder, forwarded. */
export interface CommentStore {
  /**
   * Records an engineer's comment as pending (its own timeline item, at its time-ordered key
   * `T#<entry.at>#comment#<commentId>`: commentRef(commentId, entry.at)), with an entry
   * in the open-work index due at `redriveAt`: a comment whose forwarding message was lost is re-driven by
   * the sweep. Idempotent: `false` when the comment was already recorded. With `textKey` (the comment's
   * normalised text), also marks that text as the hub's own, for isOwnCommentText.
   */
  addPendingComment(escalationId: string, commentId: string, entry: TimelineEntry, redriveAt: Date, textKey?: string): Promise<boolean>;
  /** Whether the hub wrote a comment with this normalised text on the escalation (one read). */
  isOwnCommentText(escalationId: string, textKey: string): Promise<boolean>;
  /**
   * The escalation's comments still pending, oldest first: one query of its timeline, keeping the pending
   * comments (comments sit in time order among the other entries, so the query reads the timeline). For
   * messages that name no comment (the opening's, which comes once, and older events); never per comment.
   */
  listPendingComments(escalationId: string): Promise<PendingComment[]>;
  /**
   * Claims a pending comment for forwarding, in one conditional write: only when it is still pending and no
   * unexpired claim holds it. `undefined` when it is forwarded, unknown or held by another forwarder.
   */
  claimComment(escalationId: string, comment: CommentRef, now: Date, claimUntil: Date): Promise<ClaimedComment | undefined>;
  /** Gives a claim back (the partner call failed and will be retried); a claim someone else holds stays. */
  releaseComment(escalationId: string, comment: CommentRef, token: string): Promise<void>;
  /** The comment reached the partner (or was refused for good): no longer pending, out of the open-work index. */
  markCommentForwarded(escalationId: string, comment: CommentRef, at: string): Promise<void>;
  /**
   * Looks at a pending comment again at `dueAt` (the sweep has just re-driven it: `redrives` counts how
   * often); `dueAt` `null`: it stays pending but leaves the open-work index (it can never be forwarded:
   * the escalation ended without a ticket, or the partner has no API). A forwarded comment stays forwarded.
   */
  deferComment(escalationId: string, comment: CommentRef, dueAt: Date | null, redrives?: number): Promise<void>;
}

/** Partner webhook deliveries: seen once (replay and delivery guards), applied, or deferred until their ticket is known. */
export interface DeliveryStore {
  /**
   * Replay guard on signed material (WebhookReplayGuard): `true` the first time `key` is seen within
   * `ttlSeconds`. Not open work (no index entry); `forgetDelivery` with the same key forgets it.
   */
  markSignedSeen(partnerId: string, key: string, now: Date, ttlSeconds: number): Promise<boolean>;
  /**
   * Whether `key` is remembered (markSignedSeen, markDeliverySeen) and not expired: a read, for a guard that
   * remembers only once its work is done (desk events: a crash half-way leaves the delivery unseen).
   */
  wasSeen(partnerId: string, key: string, now: Date): Promise<boolean>;
  /** Webhook delivery guard: `true` the first time a delivery id is seen (within its TTL). */
  markDeliverySeen(partnerId: string, deliveryId: string, update: unknown, now: Date, ttlSeconds: number): Promise<boolean>;
  /** Forgets a delivery that could not be enqueued, so the partner's retry is accepted. */
  forgetDelivery(partnerId: string, deliveryId: string): Promise<void>;
  /** Marks a stored delivery applied (removes it from the open-work index). */
  markDeliveryApplied(partnerId: string, deliveryId: string): Promise<void>;
  /**
   * Re-schedules a stored delivery still waiting in the open-work index (its ticket is not known yet, or the
   * sweep has just re-driven it: then `redrives` records how often). One applied meanwhile stays applied.
   */
  deferDelivery(partnerId: string, deliveryId: string, dueAt: Date, redrives?: number): Promise<void>;
}

/** The open-work index the sweep reads: escalations, deliveries and comments that are due. */
export interface OpenWork {
  /** Open work due at or before `now`, from the sparse open-work index. */
  listDue(now: Date, limit: number): Promise<DueItem[]>;
}

/** Where the poller left off, per partner. */
export interface PollStateStore {
  /** Polling state of a partner (its connector's opaque cursor), `undefined` before the first poll. */
  getPollState(partnerId: string): Promise<{ cursor: string; polledAt: string } | undefined>;
  savePollState(partnerId: string, state: { cursor: string; polledAt: string }): Promise<void>;
}

/**
 * What the poller knows of each partner's service health (its `serviceHealth` source): the incidents active
 * now and those resolved lately (kept `KNOWN_INCIDENT_KEEP_DAYS` after `resolvedAt`, core/known-incidents.ts),
 * one record each, so reading and writing cost grows with active incidents, never with the partner's history.
 */
export interface ServiceHealthStore {
  /** The partner's known incidents (active, and resolved but not expired by `now`) and when its source was last polled. */
  getServiceHealth(partnerId: string, now: Date): Promise<ServiceHealthState>;
  /**
   * Writes one incident as it is now (a resolved one expires `keepUntil`); only changed ones are written.
   * Without `correlated`, it is written as not yet brought to the partner's open escalations (listed in
   * the state's `uncorrelated`); written again `correlated` once it has: a poller stopped in between
   * finishes the work on its next poll.
   */
  saveKnownIncident(partnerId: string, incident: KnownIncident, keepUntil?: Date, opts?: { correlated?: boolean }): Promise<void>;
  /** Records a poll (`retryAt`: the source asked the hub to wait until then, Retry-After). */
  markServiceHealthPolled(partnerId: string, polledAt: string, retryAt?: string): Promise<void>;
  /**
   * The open escalations that watch the partner's incidents (to attach new ones): one item each under the
   * partner, written when the escalation is flagged, so that finding them is one Query of that partner's
   * watchers, never a scan; its cost grows with the partner's open escalations. Idempotent.
   */
  watchKnownIncidents(partnerId: string, escalationId: string): Promise<void>;
  listKnownIncidentWatchers(partnerId: string): Promise<string[]>;
  /** An escalation that ended stops watching (the correlation removes it when it finds it ended). */
  unwatchKnownIncidents(partnerId: string, escalationId: string): Promise<void>;
}

export interface ServiceHealthState {
  /** Absent before the first poll. */
  polledAt?: string | undefined;
  retryAt?: string | undefined;
  incidents: KnownIncident[];
  /** Ids of incidents whose last change has not reached the partner's open escalations yet. */
  uncorrelated: string[];
}

/** Why queue messages failed, for the dead-letter tools. */
export interface MessageFailureStore {
  /** Why a queue message failed (kept 14 days): what the dead-letter tools show next to it. */
  recordMessageFailure(messageId: string, failure: MessageFailure): Promise<void>;
  getMessageFailures(messageIds: string[]): Promise<Map<string, MessageFailure>>;
}

/** The hub's records of meeting subscriptions (joint calls whose provider needs one). */
export interface MeetingSubscriptionStore {
  /**
   * Records a meeting's change-notification subscription unless one is recorded for (partnerId, meetingId):
   * `true` when this call created it. Idempotent under retries and concurrency.
   */
  createMeetingSubscription(sub: MeetingSubscription): Promise<boolean>;
  /** Strongly consistent read; `undefined` when unknown. */
  getMeetingSubscription(partnerId: string, meetingId: string): Promise<MeetingSubscription | undefined>;
  /** The record of the provider's subscription id (lifecycle notifications name only that). */
  findMeetingSubscriptionById(partnerId: string, subscriptionId: string): Promise<MeetingSubscription | undefined>;
  /**
   * Takes the maintenance lease in one conditional write: only when the record is due by `now` (its
   * `dueAt`) and held by no unexpired lease. Answers the record as written, `undefined` otherwise.
   */
  claimMeetingSubscription(partnerId: string, meetingId: string, now: Date, leaseUntil: Date): Promise<MeetingSubscription | undefined>;
  /**
   * Writes the record (the lease holder's result, or a lifecycle notification's request) with its
   * `revision` counted up: its `dueAt` places it in the subscription due index, an absent `dueAt` takes it
   * out. Also links a new `subscriptionId` to it. With `ifRevision`, only if the stored revision is still
   * that one (else VersionConflictError: a lifecycle notification came in meanwhile).
   */
  saveMeetingSubscription(sub: MeetingSubscription, opts?: { ifRevision?: number }): Promise<void>;
  /** Subscriptions due at or before `now`, oldest due first: one Query on their own index partition. */
  listMeetingSubscriptionsDue(now: Date, limit: number): Promise<{ partnerId: string; meetingId: string; dueAt: string }[]>;
}

/**
 * The whole store (one DynamoDB table, functions/adapters/dynamo-store.ts): every part above. Use cases
 * name only the parts they use (core/deps.ts `Needs`), so that a signature shows its reach; the entry
 * points hand them this.
 */
export interface EscalationStore extends
  EscalationRecords, TimelineStore, CommentStore, DeliveryStore,
  OpenWork, PollStateStore, MessageFailureStore, MeetingSubscriptionStore, ServiceHealthStore {}

/**
 * A provider subscription for one meeting's events (Graph change notifications), kept by the hub:
 * created when the joint call is scheduled, renewed before it expires, stopped after the meeting.
 */
export interface MeetingSubscription {
  partnerId: string;
  escalationId: string;
  /** The provider's meeting id (as in the joint call). */
  meetingId: string;
  joinUrl: string;
  /** What the maintenance does next when it is due: create it, extend it, or reauthorize it. */
  action: 'create' | 'renew' | 'reauthorize';
  /** When the maintenance is next due; absent once the subscription is finished. */
  dueAt?: string | undefined;
  /** No renewal after this time (the meeting's end plus a grace period): the subscription is then deleted. */
  stopAt: string;
  subscriptionId?: string | undefined;
  resource?: string | undefined;
  expiresAt?: string | undefined;
  leaseUntil?: string | undefined;
  /** Times the current action has failed in a row (backoff). */
  failures: number;
  lastError?: string | undefined;
  createdAt: string;
  updatedAt: string;
  /** `active` while kept up; `ended` after the stop time. */
  state: 'active' | 'ended';
  /** Counted up by every save (absent before the first). */
  revision?: number | undefined;
}

export interface MessageFailure { queue: string; error: string; at: string; receiveCount: number }

export interface DeadLetter { queue: string; messageId: string; body: string; receiveCount: number }

/** The dead-letter queues of the hub's work queues: look at what failed, and replay it. */
export interface DeadLetterQueues {
  /** Messages in the dead-letter queues (of one work queue, or all), without consuming them. */
  list(queue?: string): Promise<DeadLetter[]>;
  /** Moves the messages back to their work queue; consumers are idempotent, so replays are safe. */
  redrive(queue?: string): Promise<{ queue: string; moved: number | 'started' }[]>;
  /** The work queues that have a dead-letter queue. */
  readonly queues: readonly string[];
}

export type DueItem =
  | { kind: 'escalation'; escalationId: string; dueAt: string }
  | { kind: 'delivery'; partnerId: string; deliveryId: string; update: unknown; dueAt: string; redrives: number }
  | { kind: 'comment'; escalationId: string; comment: CommentRef; commentAt: string; dueAt: string; redrives: number };

export interface EventBus {
  /** Publishes all events or throws (never silently drops one). */
  publish(events: HubEvent[]): Promise<void>;
}

export interface QueueMessage { queue: string; body: unknown; delayMs?: number }
export interface WorkQueue {
  send(message: QueueMessage): Promise<void>;
}

export interface Clock { now(): Date }
export const systemClock: Clock = { now: () => new Date() };

export interface PartnerIncident {
  id: string;
  number: string;
  url?: string;
  /** `null` when the partner's status has no mapping (recorded, never applied). */
  status: PartnerStatus | null;
  partnerStatus: string;
  updatedAt: string;
  /**
   * What the partner wrote with this state, for the timeline (polling records it as a partner comment):
   * a rejection's reason, a request for information, a note. Only connectors whose partner has no such
   * push (TSANet) set it, once per update they list.
   */
  comment?: string;
  /**
   * The partner refused the incident (TSANet `REJECTED`), with its reason: the escalation ends as a
   * referral carrying that reason (decidePartnerUpdate). `status` still ranks the update.
   */
  refusal?: string;
  /**
   * When the partner promised to answer by (TSANet `respondBy`), while it has not answered: an update
   * sets the escalation's aging deadline to it, so an unanswered request is aged at that time.
   */
  respondBy?: string;
}

/**
 * What a connector sends to open an incident. The customer's request and entitlement (when given) are for
 * connectors whose partner asks for them (a TSANet form field, an e-mail body via `{{partnerEntitlement}}`).
 */
export interface OpenIncidentInput extends CustomerMandate {
  externalRef: string;
  title: string;
  description: string;
  severity: string;
  caseId: string;
  customerId: string;
}

/**
 * One mail the hub sends to a partner (connectors/email writes it), as fields: the transport builds the
 * MIME — nodemailer locally (local/mail-mime.ts), SES in AWS (functions/adapters/ses-mail.ts) — so that no
 * Lambda bundle carries a MIME composer. Ids are without angle brackets; `references` oldest first.
 */
export interface OutgoingMail {
  from: string;
  to: string[];
  replyTo?: string | undefined;
  /** One line: connectors never put a line break in it. */
  subject: string;
  text: string;
  html: string;
  /** The hub's own id (a relay may replace it: SES does, which is why `references` names the thread's root). */
  messageId: string;
  inReplyTo?: string | undefined;
  references: string[];
  date: Date;
  /** The profile's `smtp` setting: the local transport's relay (SES ignores it). */
  relay?: { host: string; port: number } | undefined;
}

/** Sends a partner mail: SES in AWS (functions/adapters/ses-mail.ts), SMTP locally (local/smtp-transport.ts). */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
}

/** SES's receipt verdicts (`PASS`, `FAIL`, `GRAY`, `PROCESSING_FAILED`, `DISABLED`); none locally (the loopback listener has none to give). */
export interface MailVerdicts { spf: string; dkim: string; spam: string; virus: string }

/** How an inbound mail reached the hub: SES's verdicts (AWS) and where its raw bytes are kept (`s3://…`, or a local file). */
export interface MailReceipt { verdicts?: MailVerdicts | undefined; storedAt?: string | undefined }

/** A partner's mail as the hub reads it (connectors/email parses the MIME): addresses lower-cased, ids without angle brackets. */
export interface PartnerMail {
  messageId: string;
  inReplyTo?: string | undefined;
  references: string[];
  /** The sender's address (the From header). */
  from: string;
  subject: string;
  /** The text body, decoded from its charset, quoted history stripped. */
  text: string;
  /** Attachments are listed, never inlined (their bytes stay in the stored mail). */
  attachments: { filename: string; contentType: string; size: number }[];
  /** The Date header as an ISO instant, when present and valid. */
  date?: string | undefined;
}

export interface RawWebhook {
  headers: Record<string, string | undefined>;
  /**
   * The body exactly as received: its bytes (the HTTP edge hands them over undecoded, from API Gateway's
   * base64 or the local server), or text standing for its UTF-8 bytes (in-process callers, tests).
   * Connectors read it through connectors/webhook-body.ts: signatures over the bytes, JSON decoded strictly.
   */
  body: string | Uint8Array;
  query: Record<string, string | undefined>;
}

/**
 * `replay`: where the delivery id is not covered by the signature (Zendesk's invocation id, Jira's
 * identifier), the digest of what the signature does cover, and how long such a signature is accepted: the
 * hub refuses the same signed material again within that window, whatever delivery id it comes with. Absent
 * where the delivery id is itself signed (Standard Webhooks) or derived from the signed bytes (Zoom, Graph).
 */
export interface WebhookReplayGuard { key: string; windowSeconds: number }

export type WebhookVerdict =
  | { kind: 'ok'; deliveryId: string; replay?: WebhookReplayGuard }
  | { kind: 'rejected'; reason: string }
  | { kind: 'challenge'; status: number; contentType: string; body: string };

export interface InboundUpdate {
  ticketId: string;
  ticketNumber?: string;
  status: PartnerStatus | null;
  partnerStatus: string;
  updatedAt: string;
  comment?: string;
  /** PartnerIncident.refusal. */
  refusal?: string;
  /** PartnerIncident.respondBy. */
  respondBy?: string;
  /**
   * A thin event (TSANet webhooks) that names the ticket but not its state: the hub reads the incident
   * (`getIncident`) and applies that instead; the other fields are placeholders.
   */
  refresh?: boolean;
}

/**
 * What the hub knows of a partner mail it matched: the ticket (the escalation's `externalRef`), the
 * partner's ticket number as recorded so far (a number the mail repeats is no news), and where the raw
 * mail is kept (it goes into the comment, for the engineer who needs the original).
 */
export interface MailContext { ticketId: string; ticketNumber?: string | undefined; storedAt?: string | undefined }

/** A partner mail read by its connector: an update of the ticket it was matched to, or rejected (with why). */
export type MailReading = { kind: 'update'; update: InboundUpdate } | { kind: 'rejected'; reason: string };

/** A protocol adapter for one partner's ticketing system. */
export interface TicketingConnector {
  /** `manual`: the partner has no API; an engineer records the ticket number by hand. */
  readonly mode?: 'api' | 'manual';
  /**
   * Polling (partners without webhooks): incidents updated since `cursor` (opaque; `undefined` the first
   * time), with the cursor for the next call. Absent when the connector cannot list by update time.
   */
  listUpdatedSince?(cursor: string | undefined): Promise<{ incidents: PartnerIncident[]; cursor: string }>;
  openIncident(input: OpenIncidentInput): Promise<PartnerIncident>;
  /** Looks an incident up by the hub's reference: a crash between create and save must not duplicate. */
  findByExternalRef(externalRef: string): Promise<PartnerIncident | undefined>;
  getIncident(ticketId: string): Promise<PartnerIncident>;
  /**
   * Adds a comment to the ticket. `idempotencyKey` is stable per comment: a connector whose partner API
   * takes an idempotency key sends it, so a retry after a lost answer is not a second comment.
   */
  addComment(ticketId: string, body: string, opts?: { idempotencyKey?: string }): Promise<void>;
  verifyWebhook(req: RawWebhook, now: Date): WebhookVerdict;
  /** Throws ValidationError for a body that does not follow the partner's format. */
  parseWebhook(req: RawWebhook): InboundUpdate[];
  /**
   * Partners reached by e-mail (connectors/email): reads a partner's mail, which the hub matched to the
   * ticket `context.ticketId`, as an update of it, after the connector's own checks (the sender is one the
   * partner's profile allows), or rejects it saying why. Absent: the partner's mail is not read
   * (core/use-cases/ingest-partner-mail.ts).
   */
  readMail?(mail: PartnerMail, context: MailContext): MailReading;
  /** With readMail: whether this partner's mail may come from `address` (its profile's allow-list). */
  allowsSender?(address: string): boolean;
  /**
   * `hub doctor`: harmless calls that prove the set-up (a token, then a read), when the connector has
   * better ones than its default: a find with `impossibleRef`, a reference no escalation has.
   */
  setUpProbes?(impossibleRef: string): SetUpProbe[];
}

/**
 * One harmless partner call `hub doctor` makes: `run` answers what it saw (never a secret), or throws; or,
 * for a check that cannot be made honestly without side effects, `notChecked` says why.
 */
export type SetUpProbe = { check: string; run(): Promise<string> } | { check: string; notChecked: string };

export interface JointCallRequest {
  /** Stable per request: a retry with the same externalId must not create a second meeting where the API allows it. */
  externalId: string;
  subject: string;
  /** ISO start time and length. */
  startTime: string;
  durationMinutes: number;
  /** Shown in the meeting body; never findings or contact data. */
  agenda: string;
}

export interface JointCall { provider: string; meetingId: string; joinUrl: string }

/** Something that happened in a meeting, reported by the meeting provider's webhook. */
export interface CollaborationEvent { meetingId: string; type: string; at: string; detail: Record<string, unknown> }

/** What the provider says about a subscription (not a meeting): Graph lifecycle notifications. */
export interface SubscriptionLifecycleEvent {
  subscriptionId: string;
  /** `reauthorizationRequired`, `subscriptionRemoved`, `missed`, or another the provider adds. */
  event: string;
  at?: string | undefined;
}

/** A subscription as the provider answers it. */
export interface ProviderSubscription { id: string; resource: string; expiresAt: string; notificationUrl?: string | undefined }

/**
 * A provider whose meeting events arrive only through subscriptions the hub creates and renews (Graph).
 * Errors are PartnerCallErrors; `httpStatus` 404 means the subscription no longer exists.
 */
export interface MeetingSubscriptionApi {
  /** The longest lifetime the provider grants a subscription of this kind. */
  readonly maxLifetimeMinutes: number;
  /** The resource to subscribe to for a meeting's events. */
  resourceFor(call: { meetingId: string; joinUrl: string }): string;
  /** The hub's live subscription on `resource` to `notificationUrl`, if any (a crash between create and save must not duplicate). */
  find(resource: string, notificationUrl: string): Promise<ProviderSubscription | undefined>;
  create(input: { resource: string; notificationUrl: string; lifecycleNotificationUrl: string; expiresAt: string }): Promise<ProviderSubscription>;
  renew(subscriptionId: string, expiresAt: string): Promise<ProviderSubscription>;
  reauthorize(subscriptionId: string): Promise<void>;
  /** Deletes it; an unknown id counts as deleted. */
  remove(subscriptionId: string): Promise<void>;
}

/** A protocol adapter for a meeting provider (joint calls with the partner). */
export interface CollaborationConnector {
  readonly provider: string;
  scheduleJointCall(req: JointCallRequest): Promise<JointCall>;
  /** Answers handshakes (`challenge`), or says whether the delivery is authentic. */
  verifyWebhook(req: RawWebhook, now: Date): WebhookVerdict;
  parseWebhook(req: RawWebhook): CollaborationEvent[];
  /** Lifecycle notifications in a verified delivery (none for providers without subscriptions). */
  lifecycleEvents?(req: RawWebhook): SubscriptionLifecycleEvent[];
  /** Present when meeting events need a subscription per meeting (Teams); Zoom's are configured once, in its app. */
  readonly subscriptions?: MeetingSubscriptionApi;
  /** `hub doctor`: harmless calls that prove the set-up (the token endpoint takes the credentials, a read). */
  setUpProbes?(): SetUpProbe[];
}

/**
 * A partner's own incident as its service-health source publishes it (API.md "Known partner incidents"):
 * `id` the partner's (`TM123456`), `status` the partner's own word, `services` the services or components
 * it affects (as the source names them).
 */
export interface KnownIncident {
  source: string;
  id: string;
  title: string;
  status: string;
  url?: string | undefined;
  startedAt: string;
  /** When the source said it was resolved, or (when it just stopped listing it) the poll that saw it gone. */
  resolvedAt?: string | undefined;
  services: string[];
}

/** Where a partner publishes its own service incidents (Microsoft 365 service health, a Statuspage page). */
export interface ServiceHealthConnector {
  /** The source (`microsoft365`, `statuspage`). */
  readonly source: string;
  /** How often the poller asks (the profile's `serviceHealth.pollIntervalSeconds`). */
  readonly pollIntervalSeconds: number;
  /** The partner's incidents active now, of the services or components the profile names (all when it names none). */
  listActive(): Promise<KnownIncident[]>;
}

/** A flag read from a desk event with the desk's `mapping`: the fields of `POST /v1/escalations` it gives. */
export interface DeskFlag { customerId: string; platform: string; severity: string; summary: string; findings: string }

/**
 * What a desk event says, read with the desk's `mapping`: a case flagged as partner-related, a case whose
 * fields could not all be mapped (`problems`, one line each; `caseId` when at least that was found), or an
 * event that is not a flag (the `partnerRelated` test failed).
 */
export type DeskEvent = (
  | { kind: 'flag'; caseId: string; flag: DeskFlag }
  | { kind: 'unmappable'; caseId?: string; problems: string[] }
  | { kind: 'ignored'; reason: string }
) & {
  /** The desk's own id of this event, when it has one (a Salesforce Outbound Message's notification `Id`): seen again, it is a duplicate. */
  eventId?: string;
};

/**
 * One write to a desk case: the partner ticket's number and status (the desk's fields), and a comment that
 * is either customer-visible (`public: true`: customer-safe text only) or an engineer-only note.
 */
export interface DeskWriteBack {
  ticketNumber?: string;
  status?: string;
  comment?: { body: string; public: boolean };
}

/**
 * The vendor's own support desk (`desks`, connectors of kind `desk`): its events verified and read (the
 * inbound half), and the hub's writes to its cases (the HTTP half). `writeBack` throws PartnerCallError:
 * transient ones (429 with `retryAfterMs`, 5xx) are retried; a deleted case is final (`httpStatus` 404).
 */
export interface DeskConnector {
  verifyEvent(req: RawWebhook, now: Date): WebhookVerdict;
  /**
   * The events one delivery carries, one per case (a Zendesk trigger sends one; a Salesforce Outbound
   * Message up to 100). Throws ValidationError for a body that is not the desk's format.
   */
  readEvents(req: RawWebhook): DeskEvent[];
  /** The answer the desk expects once a delivery is taken (a Salesforce Outbound Message: a SOAP `Ack`); absent: the hub's JSON result. */
  acknowledge?(): { contentType: string; body: string };
  writeBack(caseId: string, update: DeskWriteBack): Promise<void>;
  /** `hub doctor`'s harmless calls to the desk (a read with the hub's credentials). */
  setUpProbes?(): SetUpProbe[];
}

export interface ConnectorRegistry {
  /** The ticketing connector of a configured partner; `undefined` for an unknown partner id. */
  ticketing(partnerId: string): TicketingConnector | undefined;
  /** The partner's collaboration connector (joint calls), when its profile names one. */
  collaboration(partnerId: string): CollaborationConnector | undefined;
  /** The partner's service-health source, when its profile names one (`serviceHealth`). */
  serviceHealth(partnerId: string): ServiceHealthConnector | undefined;
  /** The connector of a configured desk (`desks`); `undefined` for an unknown desk id (absent: a registry of partners only). */
  desk?(deskId: string): DeskConnector | undefined;
}

/**
 * The EscalationStore on DynamoDB (single table; see ../shared/DESIGN.md "Data").
 * Deterministic keys and conditional writes, no transactions: the same code runs on dynalite and AWS.
 */
import {
  DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { createHash, randomUUID } from 'node:crypto';
import { dueAt, type CaseDetails, type Escalation } from '../../core/escalation';
import { commentRef, derivedTimeline, isTimelinePosition, pageOf, RECENT_TIMELINE_ENTRIES, type TimelinePosition } from '../../core/timeline';
import { TicketLinkConflictError, VersionConflictError } from '../../core/errors';
import type {
  ClaimedComment, CommentRef, DueItem, EscalationStore, KnownIncident, MeetingSubscription, MessageFailure, PendingComment, ServiceHealthState, TimelineEntry,
} from '../../core/ports';
import { isConditionFailure, unlessRefused } from './conditional-write';
import { DeliveryMarks } from './delivery-marks';
import { DUE_SHARDS } from '../../topology/table-schema';


const escKey = (id: string) => ({ PK: `ESC#${id}`, SK: 'META' });
const caseKey = (caseId: string, partnerId: string) => ({ PK: `CASE#${caseId}`, SK: `PARTNER#${partnerId}` });
/**
 * Ids that come from outside (webhook delivery ids, dedupe keys built from them) can be longer than a
 * DynamoDB key may be (2 KB partition, 1 KB sort): long ones are replaced by their SHA-256.
 */
export const boundedKeyPart = (id: string) => (id.length <= 200 ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`);
const ticketKey = (partnerId: string, ticketId: string) => ({ PK: `PTKT#${partnerId}#${boundedKeyPart(ticketId)}`, SK: 'META' });
const hookKey = (partnerId: string, deliveryId: string) => ({ PK: `HOOK#${partnerId}#${boundedKeyPart(deliveryId)}`, SK: 'META' });
const subKey = (partnerId: string, meetingId: string) => ({ PK: `SUB#${partnerId}#${boundedKeyPart(meetingId)}`, SK: 'META' });
const subIdKey = (partnerId: string, subscriptionId: string) => ({ PK: `SUBID#${partnerId}#${boundedKeyPart(subscriptionId)}`, SK: 'META' });
/**
 * Meeting subscriptions due for maintenance sit in GSI2 under their own partition key, apart from the
 * open-work entries (the sweep never sees them): one Query finds what is due. Subscriptions are few
 * (one per upcoming joint call), so one partition is enough.
 */
export const SUBSCRIPTIONS_DUE_PK = 'SUBDUE';
/** Record attributes that are keys or bookkeeping, not part of the MeetingSubscription. */
const SUB_ITEM_ONLY = ['PK', 'SK', 'GSI2PK', 'GSI2SK', 'type'] as const;
function toSubscription(item: Record<string, unknown>): MeetingSubscription {
  const copy: Record<string, unknown> = { ...item };
  for (const k of SUB_ITEM_ONLY) delete copy[k];
  return copy as unknown as MeetingSubscription;
}
/**
 * A comment's own timeline item: its key is its place in time order, `T#<at>#comment#<commentId>`
 * (commentRef in core/timeline.ts); comments from before time-ordered keys sit under `T#comment#<commentId>`.
 * The comment's id is what follows `comment#`.
 */
const commentIdOf = (sk: string) => sk.slice(sk.indexOf('comment#') + 'comment#'.length);
const commentItemKey = (escalationId: string, c: CommentRef) => ({ PK: `ESC#${escalationId}`, SK: c.key });
/** A comment text's mark (its SHA-256: texts may be up to 10,000 characters), outside the timeline's `T#` range. */
const commentTextKey = (escalationId: string, textKey: string) => ({ PK: `ESC#${escalationId}`, SK: `CTEXT#${createHash('sha256').update(textKey).digest('hex')}` });
const shardOf = (id: string) => createHash('sha1').update(id).digest()[0]! % DUE_SHARDS;

/** Item attributes that are keys or bookkeeping, not part of the escalation. */
const ITEM_ONLY = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'type'] as const;

const toEntry = (i: Record<string, unknown>): TimelineEntry => ({ at: i.at as string, type: i.kind as string, actor: i.actor as string, detail: i.detail as Record<string, unknown> });
/**
 * Timeline entries are stored under `T#<at>#<dedupe key or random>` (time order is key order). Before
 * that, deduplicated entries were stored under `T#<dedupe key>` alone: their place in time comes from `at`.
 */
const positionOf = (i: Record<string, unknown>): TimelinePosition => {
  const sk = i.SK as string;
  return isTimelinePosition(sk) ? sk : `T#${i.at as string}#${sk.slice(2)}`;
};
const stored = (i: Record<string, unknown>) => ({ position: positionOf(i), entry: toEntry(i) });

function escalationItem(e: Escalation) {
  const due = dueAt(e);
  return {
    ...escKey(e.escalationId),
    type: 'escalation',
    ...e,
    ...(due ? { GSI2PK: `DUE#${shardOf(e.escalationId)}`, GSI2SK: `${due}#ESC#${e.escalationId}` } : {}),
  };
}

function toEscalation(item: Record<string, unknown>): Escalation {
  const copy: Record<string, unknown> = { ...item };
  for (const k of ITEM_ONLY) delete copy[k];
  return copy as unknown as Escalation;
}

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
/** The escalation's optional attributes (the compiler keeps this list complete). */
const OPTIONAL: Record<OptionalKeys<Escalation>, true> = { customerSummary: true, ticketMode: true, ticketDueBy: true, updateDueBy: true, agedFor: true, opening: true, commentsPending: true, problem: true, timelineKeys: true, commentTexts: true, mandate: true, knownIncidents: true, deskId: true };

/**
 * An UpdateItem that sets every attribute of the escalation but its id (and removes the optional ones now
 * absent), and none of the index keys, so the open-work index entry stays as it was and costs no write.
 * Same version check.
 */
function updateKeepingDue(tableName: string, e: Escalation) {
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ':prev': e.version - 1 };
  const set: string[] = [];
  const remove: string[] = [];
  const fields = [...new Set([...Object.keys(e), ...Object.keys(OPTIONAL)])] as (keyof Escalation)[];
  fields.forEach((k, i) => {
    if (k === 'escalationId') return;
    names[`#a${i}`] = k;
    const v = e[k];
    if (v === undefined) remove.push(`#a${i}`);
    else { values[`:v${i}`] = v; set.push(`#a${i} = :v${i}`); }
  });
  return new UpdateCommand({
    TableName: tableName,
    Key: escKey(e.escalationId),
    UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
    ConditionExpression: '#version = :prev',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });
}

export class DynamoEscalationStore implements EscalationStore {
  private readonly deliveries: DeliveryMarks;

  /** `db`: a document client, or one that refuses what its function is not granted (local/dynamo.ts). */
  constructor(private readonly db: Pick<DynamoDBDocumentClient, 'send'>, private readonly tableName: string) {
    this.deliveries = new DeliveryMarks(db, tableName);
  }

  /**
   * Two writes: the case item (uniqueness, and the draft for repair), then the escalation item. First one
   * query of the case's items for another customer's (a case belongs to one customer): when there is one,
   * that escalation is answered, not created, and the caller refuses (flagEscalation).
   */
  async createEscalation(proposed: Escalation, details: CaseDetails) {
    const foreign = await this.caseItems(proposed.caseId, '<>', proposed.customerId);
    if (foreign[0]) {
      return { created: false, escalation: await this.existingForCase(proposed.caseId, (foreign[0].SK as string).slice('PARTNER#'.length)) };
    }
    // its timeline entries all go under time-ordered keys: pages of it are one Query each
    const draft: Escalation = { ...proposed, timelineKeys: 'time' };
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...caseKey(draft.caseId, draft.partnerId), type: 'case', escalationId: draft.escalationId, draft, ...details },
        ConditionExpression: 'attribute_not_exists(PK)',
      }));
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      return { created: false, escalation: await this.existingForCase(draft.caseId, draft.partnerId) };
    }
    await this.putEscalationOnce(draft);
    return { created: true, escalation: draft };
  }

  /** The escalation a case item points at; repairs a missing escalation item from the case item's draft. */
  private async existingForCase(caseId: string, partnerId: string): Promise<Escalation> {
    const c = await this.db.send(new GetCommand({ TableName: this.tableName, Key: caseKey(caseId, partnerId), ConsistentRead: true }));
    if (!c.Item) throw new Error(`case item ${caseId}/${partnerId} vanished`);
    const existing = await this.getEscalation(c.Item.escalationId as string);
    if (existing) return existing;
    // the first request stopped between its two writes: finish its work (idempotent)
    await this.putEscalationOnce(c.Item.draft as Escalation);
    return (await this.getEscalation(c.Item.escalationId as string))!;
  }

  private async putEscalationOnce(e: Escalation) {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: escalationItem(e), ConditionExpression: 'attribute_not_exists(PK)' }));
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  async getEscalation(escalationId: string) {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: escKey(escalationId), ConsistentRead: true }));
    return r.Item ? toEscalation(r.Item) : undefined;
  }

  /** The whole timeline (its cost grows with it: for use cases that must see every entry). */
  async getTimeline(escalationId: string): Promise<TimelineEntry[]> {
    return (await this.readTimeline(escalationId, undefined, Infinity))?.page.items ?? [];
  }

  /** The escalation and the newest `limit` entries of its timeline: a read and a Query, at once. */
  async getEscalationWithTimeline(escalationId: string, limit = RECENT_TIMELINE_ENTRIES) {
    const r = await this.readTimeline(escalationId, undefined, limit);
    return r && { escalation: r.escalation, timeline: r.page.items, timelineBefore: r.page.before };
  }

  async getTimelinePage(escalationId: string, opts: { before?: TimelinePosition | undefined; limit: number }) {
    return (await this.readTimeline(escalationId, opts.before, opts.limit))?.page;
  }

  /**
   * A page: the newest `limit` entries older than `before`, merged with those derived from the item. With
   * time-ordered keys that is one Query, newest first, of `limit + 2` items at most (`before` itself may be
   * one; one more says whether older ones exist): its cost does not grow with the timeline. An escalation
   * flagged before those keys has entries out of key order: unless that Query saw them all, its whole
   * timeline is read.
   */
  private async readTimeline(escalationId: string, before: TimelinePosition | undefined, limit: number) {
    const [escalation, newest] = await Promise.all([this.getEscalation(escalationId), this.timelineItems(escalationId, before, limit + 2)]);
    if (!escalation) return undefined;
    const items = escalation.timelineKeys === 'time' || (!before && newest.length < limit + 2) ? newest : await this.timelineItems(escalationId, undefined, Infinity);
    // entries derived from the item, unless an older item stored them under their dedupe key
    const keys = new Set(items.map((i) => i.SK));
    const derived = derivedTimeline(escalation).filter((d) => !keys.has(`T#${boundedKeyPart(d.dedupeKey)}`))
      .map((d) => ({ position: `T#${d.entry.at}#${boundedKeyPart(d.dedupeKey)}`, entry: d.entry }));
    return { escalation, page: pageOf([...items.map(stored), ...derived], before, limit) };
  }

  /** Up to `max` timeline items at or before `before`, newest first (a Query stops at 1 MB: long entries take several). */
  private async timelineItems(escalationId: string, before: TimelinePosition | undefined, max: number) {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const r = await this.db.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: `PK = :pk AND ${before ? 'SK BETWEEN :t AND :b' : 'begins_with(SK, :t)'}`,
        ExpressionAttributeValues: { ':pk': `ESC#${escalationId}`, ':t': 'T#', ...(before ? { ':b': before } : {}) },
        ScanIndexForward: false, ConsistentRead: true, ExclusiveStartKey,
        ...(max < Infinity ? { Limit: max - items.length } : {}),
      }));
      items.push(...(r.Items ?? []));
      ExclusiveStartKey = r.LastEvaluatedKey;
    } while (ExclusiveStartKey && items.length < max);
    return items;
  }

  async getCaseDetails(e: Pick<Escalation, 'caseId' | 'partnerId'>): Promise<CaseDetails | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: caseKey(e.caseId, e.partnerId), ConsistentRead: true }));
    return r.Item ? { findings: r.Item.findings as string, customerContact: (r.Item.customerContact ?? null) as CaseDetails['customerContact'] } : undefined;
  }

  async listByCase(caseId: string) {
    const cases = await this.queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `CASE#${caseId}` }, ConsistentRead: true });
    return this.escalationsOfCase(caseId, cases);
  }

  /** The escalations the case items name, oldest first (repairing one a crashed flag left half-written). */
  private async escalationsOfCase(caseId: string, cases: Record<string, unknown>[]) {
    const all = await Promise.all(cases.map(async (c) =>
      (await this.getEscalation(c.escalationId as string)) ?? this.existingForCase(caseId, (c.SK as string).slice('PARTNER#'.length))));
    return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * A customer's escalations of a case: one query of the case's items keyed by case and filtered by owner
   * (the customer in each case item's draft), then a read per escalation found. Another customer's case and
   * an unknown case both cost that one query and find nothing: the same work, so the answer's timing tells
   * nothing about other tenants' cases.
   */
  async listByCustomerCase(customerId: string, caseId: string) {
    return (await this.escalationsOfCase(caseId, await this.caseItems(caseId, '=', customerId))).filter((e) => e.customerId === customerId);
  }

  async saveEscalation(next: Escalation, opts: { keepDue?: boolean } = {}) {
    try {
      if (opts.keepDue) await this.db.send(updateKeepingDue(this.tableName, next));
      else {
        await this.db.send(new PutCommand({
          TableName: this.tableName,
          Item: escalationItem(next),
          ConditionExpression: 'version = :prev',
          ExpressionAttributeValues: { ':prev': next.version - 1 },
        }));
      }
    } catch (e) {
      if (isConditionFailure(e)) throw new VersionConflictError(`escalation ${next.escalationId} changed meanwhile`);
      throw e;
    }
  }

  async claimAttempt(escalationId: string, now: Date, leaseUntil: Date, dueBy: Date) {
    const r = await unlessRefused(this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: escKey(escalationId),
      UpdateExpression: 'SET attempts = attempts + :one, leaseUntil = :lease, version = version + :one, updatedAt = :now',
      ConditionExpression: '#status = :requested AND (attribute_not_exists(ticketMode) OR ticketMode <> :manual)'
        + ' AND (attribute_type(leaseUntil, :null) OR leaseUntil <= :now)'
        + ' AND (attribute_type(nextAttemptAt, :null) OR nextAttemptAt <= :dueBy)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':one': 1, ':lease': leaseUntil.toISOString(), ':now': now.toISOString(), ':dueBy': dueBy.toISOString(),
        ':requested': 'requested', ':manual': 'manual', ':null': 'NULL',
      },
      ReturnValues: 'ALL_NEW',
    })));
    return r?.Attributes ? toEscalation(r.Attributes) : undefined;
  }

  async renewAttempt(escalationId: string, attempts: number, now: Date, leaseUntil: Date) {
    const r = await unlessRefused(this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: escKey(escalationId),
      UpdateExpression: 'SET leaseUntil = :lease, version = version + :one, updatedAt = :now',
      // the fencing token is the attempt count: a later claim has counted another attempt
      ConditionExpression: '#status = :requested AND attempts = :mine AND leaseUntil > :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':one': 1, ':lease': leaseUntil.toISOString(), ':now': now.toISOString(), ':mine': attempts, ':requested': 'requested' },
      ReturnValues: 'ALL_NEW',
    })));
    return r?.Attributes ? toEscalation(r.Attributes) : undefined;
  }

  /**
   * Stores the entry under `T#<at>#…`, so that key order is time order. With a dedupe key, a `TKEY#<key>`
   * item claims the key first (conditional) with the entry's time: a retry, at another time, finds the
   * claim and adds no second entry (it writes the first call's entry, should that call have stopped
   * between its two writes). One more write per deduplicated entry buys pages of the timeline at a cost
   * that does not grow with it.
   */
  async appendTimeline(escalationId: string, entry: TimelineEntry, dedupeKey?: string) {
    const pk = `ESC#${escalationId}`;
    const key = dedupeKey ? boundedKeyPart(dedupeKey) : `${Math.random().toString(36).slice(2, 10)}`;
    let { at } = entry;
    const first = !dedupeKey || await this.putIfAbsent({ PK: pk, SK: `TKEY#${key}`, type: 'timeline-key', at });
    if (!first) at = (await this.db.send(new GetCommand({ TableName: this.tableName, Key: { PK: pk, SK: `TKEY#${key}` }, ConsistentRead: true }))).Item?.at ?? at;
    await this.putIfAbsent({ PK: pk, SK: `T#${at}#${key}`, type: 'timeline', at, kind: entry.type, actor: entry.actor, detail: entry.detail });
    return first;
  }

  /**
   * One item per comment, at its time-ordered key (`T#<at>#comment#<id>`: timeline pages read it in time
   * order), in one conditional put: no dedupe claim is needed, as the caller names the comment by its id and
   * its time once. `pending` and the open-work entry go when it is forwarded. Then its text's mark.
   */
  async addPendingComment(escalationId: string, commentId: string, entry: TimelineEntry, redriveAt: Date, textKey?: string) {
    const key = commentItemKey(escalationId, commentRef(commentId, entry.at));
    const added = await this.putIfAbsent({
      ...key, type: 'timeline', escalationId,
      at: entry.at, kind: entry.type, actor: entry.actor, detail: entry.detail,
      pending: 1, ...this.commentDue(key, redriveAt),
    });
    if (textKey !== undefined) {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...commentTextKey(escalationId, textKey), type: 'comment-text', commentId } }));
    }
    return added;
  }

  async isOwnCommentText(escalationId: string, textKey: string) {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: commentTextKey(escalationId, textKey), ConsistentRead: true }));
    return r.Item !== undefined;
  }

  /** Puts the item unless one is there under its key; answers whether it did. */
  private async putIfAbsent(Item: Record<string, unknown>) {
    const r = await unlessRefused(this.db.send(new PutCommand({ TableName: this.tableName, Item, ConditionExpression: 'attribute_not_exists(SK)' })));
    return r !== undefined;
  }

  /**
   * The pending comments, whichever key they sit under (time-ordered, or an older escalation's
   * `T#comment#<id>`): a query of the timeline keeping `pending` items (comments are in time order among
   * the other entries). Only for messages that name no comment.
   */
  async listPendingComments(escalationId: string): Promise<PendingComment[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :t)',
      FilterExpression: 'pending = :one',
      ExpressionAttributeValues: { ':pk': `ESC#${escalationId}`, ':t': 'T#', ':one': 1 },
      ConsistentRead: true,
    });
    return items
      .map((i) => ({ commentId: commentIdOf(i.SK as string), key: i.SK as string, body: (i.detail as { body: string }).body, at: i.at as string }))
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  async claimComment(escalationId: string, comment: CommentRef, now: Date, claimUntil: Date): Promise<ClaimedComment | undefined> {
    const token = randomUUID();
    const r = await unlessRefused(this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: commentItemKey(escalationId, comment),
      UpdateExpression: 'SET claimUntil = :until, claimToken = :token, claims = if_not_exists(claims, :zero) + :one',
      ConditionExpression: 'pending = :one AND (attribute_not_exists(claimUntil) OR claimUntil <= :now)',
      ExpressionAttributeValues: { ':until': claimUntil.toISOString(), ':token': token, ':now': now.toISOString(), ':zero': 0, ':one': 1 },
      ReturnValues: 'ALL_NEW',
    })));
    if (!r) return undefined;
    const i = r.Attributes!;
    return { ...comment, body: (i.detail as { body: string }).body, at: i.at as string, token, claims: i.claims as number };
  }

  async releaseComment(escalationId: string, comment: CommentRef, token: string) {
    await unlessRefused(this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: commentItemKey(escalationId, comment),
      UpdateExpression: 'REMOVE claimUntil, claimToken',
      ConditionExpression: 'claimToken = :token',
      ExpressionAttributeValues: { ':token': token },
    })));
  }

  async markCommentForwarded(escalationId: string, comment: CommentRef, at: string) {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: commentItemKey(escalationId, comment),
      UpdateExpression: 'REMOVE pending, claimUntil, claimToken, GSI2PK, GSI2SK SET forwardedAt = :at',
      ConditionExpression: 'attribute_exists(SK)',
      ExpressionAttributeValues: { ':at': at },
    }));
  }

  async deferComment(escalationId: string, comment: CommentRef, dueAtTime: Date | null, redrives?: number) {
    const key = commentItemKey(escalationId, comment);
    const due = dueAtTime ? this.commentDue(key, dueAtTime) : undefined;
    await unlessRefused(this.db.send(new UpdateCommand({
      TableName: this.tableName, Key: key,
      UpdateExpression: due ? `SET GSI2PK = :pk, GSI2SK = :sk${redrives === undefined ? '' : ', redrives = :n'}` : 'REMOVE GSI2PK, GSI2SK',
      // still pending and in the index: a comment forwarded meanwhile is not brought back
      ConditionExpression: 'attribute_exists(GSI2PK) AND pending = :one',
      ExpressionAttributeValues: { ':one': 1, ...(due ? { ':pk': due.GSI2PK, ':sk': due.GSI2SK } : {}), ...(due && redrives !== undefined ? { ':n': redrives } : {}) },
    })));
  }

  private commentDue(key: { PK: string; SK: string }, at: Date) {
    return this.dueAttributes(`${key.PK}#${key.SK}`, at);
  }

  async putTicketLink(partnerId: string, ticketId: string, escalationId: string) {
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...ticketKey(partnerId, ticketId), type: 'ticket', escalationId },
        ConditionExpression: 'attribute_not_exists(PK) OR escalationId = :e',
        ExpressionAttributeValues: { ':e': escalationId },
      }));
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      throw new TicketLinkConflictError(partnerId, ticketId, (await this.findByTicket(partnerId, ticketId)) ?? 'unknown');
    }
  }

  async findByTicket(partnerId: string, ticketId: string) {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: ticketKey(partnerId, ticketId), ConsistentRead: true }));
    return r.Item?.escalationId as string | undefined;
  }

  async markDeliverySeen(partnerId: string, deliveryId: string, update: unknown, now: Date, ttlSeconds: number) {
    const nowSec = Math.floor(now.getTime() / 1000);
    return this.deliveries.mark({
      key: hookKey(partnerId, deliveryId),
      item: {
        type: 'delivery', partnerId, deliveryId, update, receivedAt: now.toISOString(), ttl: nowSec + ttlSeconds,
        ...this.dueAttributes(`HOOK#${partnerId}#${boundedKeyPart(deliveryId)}`, new Date(now.getTime() + 15_000)),
      },
      nowSec,
    });
  }

  async markSignedSeen(partnerId: string, key: string, now: Date, ttlSeconds: number) {
    const nowSec = Math.floor(now.getTime() / 1000);
    const r = await unlessRefused(this.db.send(new PutCommand({
      TableName: this.tableName,
      Item: { ...hookKey(partnerId, key), type: 'signed', partnerId, receivedAt: now.toISOString(), ttl: nowSec + ttlSeconds },
      // expired items may linger until DynamoDB's TTL (or, locally, nobody) removes them
      ConditionExpression: 'attribute_not_exists(PK) OR #ttl < :now',
      ExpressionAttributeNames: { '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':now': nowSec },
    })));
    return r !== undefined;
  }

  async wasSeen(partnerId: string, key: string, now: Date) {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: hookKey(partnerId, key), ConsistentRead: true }));
    // expired items may linger until DynamoDB's TTL removes them (as in markSignedSeen's condition)
    return r.Item !== undefined && !(typeof r.Item.ttl === 'number' && r.Item.ttl < Math.floor(now.getTime() / 1000));
  }

  async forgetDelivery(partnerId: string, deliveryId: string) {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: hookKey(partnerId, deliveryId) }));
  }

  async markDeliveryApplied(partnerId: string, deliveryId: string) {
    await unlessRefused(this.db.send(new UpdateCommand({
      TableName: this.tableName, Key: hookKey(partnerId, deliveryId),
      UpdateExpression: 'REMOVE GSI2PK, GSI2SK',
      ConditionExpression: 'attribute_exists(PK)',
    })));
  }

  async deferDelivery(partnerId: string, deliveryId: string, dueAtTime: Date, redrives?: number) {
    const due = this.dueAttributes(`HOOK#${partnerId}#${boundedKeyPart(deliveryId)}`, dueAtTime);
    await unlessRefused(this.db.send(new UpdateCommand({
      TableName: this.tableName, Key: hookKey(partnerId, deliveryId),
      UpdateExpression: `SET GSI2PK = :pk, GSI2SK = :sk${redrives === undefined ? '' : ', redrives = :n'}`,
      // still in the index: a delivery that status sync applied meanwhile is not brought back
      ConditionExpression: 'attribute_exists(GSI2PK)',
      ExpressionAttributeValues: { ':pk': due.GSI2PK, ':sk': due.GSI2SK, ...(redrives === undefined ? {} : { ':n': redrives }) },
    })));
  }

  async recordMessageFailure(messageId: string, failure: MessageFailure) {
    const ttl = Math.floor(Date.parse(failure.at) / 1000) + 14 * 24 * 3600;
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { PK: `FAIL#${messageId}`, SK: 'META', type: 'failure', ...failure, ttl } }));
  }

  async getMessageFailures(messageIds: string[]) {
    const out = new Map<string, MessageFailure>();
    await Promise.all(messageIds.map(async (id) => {
      const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { PK: `FAIL#${id}`, SK: 'META' } }));
      if (r.Item) out.set(id, { queue: r.Item.queue as string, error: r.Item.error as string, at: r.Item.at as string, receiveCount: r.Item.receiveCount as number });
    }));
    return out;
  }

  async getPollState(partnerId: string) {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { PK: `POLL#${partnerId}`, SK: 'META' }, ConsistentRead: true }));
    return r.Item ? { cursor: r.Item.cursor as string, polledAt: r.Item.polledAt as string } : undefined;
  }

  async savePollState(partnerId: string, state: { cursor: string; polledAt: string }) {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { PK: `POLL#${partnerId}`, SK: 'META', type: 'poll', ...state } }));
  }

  /**
   * A partner's service health: `HEALTH#<partnerId>` holds `META` (when polled) and one `INC#<id>` item per
   * incident active now or resolved lately (those carry `ttl`: DynamoDB deletes them some time after, and
   * until it does they are left out here). One Query, its size that of the active incidents.
   */
  async getServiceHealth(partnerId: string, now: Date): Promise<ServiceHealthState> {
    const nowSec = Math.floor(now.getTime() / 1000);
    const items = await this.queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `HEALTH#${partnerId}` }, ConsistentRead: true });
    const meta = items.find((i) => i.SK === 'META');
    const live = items.filter((i) => String(i.SK).startsWith('INC#') && !(typeof i.ttl === 'number' && i.ttl < nowSec));
    return {
      polledAt: meta?.polledAt as string | undefined, retryAt: meta?.retryAt as string | undefined,
      incidents: live.map((i) => i.incident as KnownIncident), uncorrelated: live.filter((i) => i.uncorrelated).map((i) => (i.incident as KnownIncident).id),
    };
  }

  async saveKnownIncident(partnerId: string, incident: KnownIncident, keepUntil?: Date, opts: { correlated?: boolean } = {}) {
    await this.db.send(new PutCommand({
      TableName: this.tableName,
      Item: {
        PK: `HEALTH#${partnerId}`, SK: `INC#${boundedKeyPart(incident.id)}`, type: 'known-incident', incident,
        ...(opts.correlated ? {} : { uncorrelated: 1 }), ...(keepUntil ? { ttl: Math.floor(keepUntil.getTime() / 1000) } : {}),
      },
    }));
  }

  /** `WATCH#<partnerId>` / `ESC#<escalationId>`: the partner's open escalations, for its incidents (ServiceHealthStore). */
  async watchKnownIncidents(partnerId: string, escalationId: string) {
    await this.putIfAbsent({ PK: `WATCH#${partnerId}`, SK: `ESC#${escalationId}`, type: 'incident-watch', escalationId });
  }

  async listKnownIncidentWatchers(partnerId: string) {
    const items = await this.queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `WATCH#${partnerId}` }, ConsistentRead: true });
    return items.map((i) => i.escalationId as string);
  }

  async unwatchKnownIncidents(partnerId: string, escalationId: string) {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { PK: `WATCH#${partnerId}`, SK: `ESC#${escalationId}` } }));
  }

  async markServiceHealthPolled(partnerId: string, polledAt: string, retryAt?: string) {
    await this.db.send(new PutCommand({
      TableName: this.tableName, Item: { PK: `HEALTH#${partnerId}`, SK: 'META', type: 'service-health', polledAt, ...(retryAt ? { retryAt } : {}) },
    }));
  }

  async listDue(now: Date, limit: number): Promise<DueItem[]> {
    const upper = `${now.toISOString()}#~`;
    const perShard = await Promise.all(Array.from({ length: DUE_SHARDS }, (_, s) => this.db.send(new QueryCommand({
      TableName: this.tableName, IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :u',
      ExpressionAttributeValues: { ':pk': `DUE#${s}`, ':u': upper },
      Limit: limit,
    }))));
    return Promise.all(perShard.flatMap((r) => r.Items ?? []).slice(0, limit).map(async (i): Promise<DueItem> => {
      const dueAtIso = (i.GSI2SK as string).split('#')[0]!;
      if (i.type === 'timeline') {
        // a pending comment: its id and time are in its key; how often the sweep re-drove it is not in the index
        const sk = i.SK as string;
        const stored = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { PK: i.PK, SK: sk } }));
        return {
          kind: 'comment', escalationId: i.escalationId as string, comment: { commentId: commentIdOf(sk), key: sk }, commentAt: (stored.Item?.at as string | undefined) ?? sk.split('#')[1]!, dueAt: dueAtIso,
          redrives: Number(stored.Item?.redrives ?? 0),
        };
      }
      if (i.type !== 'delivery') return { kind: 'escalation', escalationId: i.escalationId as string, dueAt: dueAtIso };
      // the index does not carry the stored update: read it (rare: only deliveries not applied in time)
      const stored = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { PK: i.PK, SK: i.SK } }));
      return {
        kind: 'delivery', partnerId: i.partnerId as string, deliveryId: i.deliveryId as string, update: stored.Item?.update ?? [], dueAt: dueAtIso,
        redrives: Number(stored.Item?.redrives ?? 0),
      };
    }));
  }

  async createMeetingSubscription(sub: MeetingSubscription) {
    return this.putIfAbsent(this.subscriptionItem(sub));
  }

  async getMeetingSubscription(partnerId: string, meetingId: string) {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: subKey(partnerId, meetingId), ConsistentRead: true }));
    return r.Item ? toSubscription(r.Item) : undefined;
  }

  async findMeetingSubscriptionById(partnerId: string, subscriptionId: string) {
    const link = await this.db.send(new GetCommand({ TableName: this.tableName, Key: subIdKey(partnerId, subscriptionId), ConsistentRead: true }));
    if (!link.Item) return undefined;
    return this.getMeetingSubscription(partnerId, link.Item.meetingId as string);
  }

  async claimMeetingSubscription(partnerId: string, meetingId: string, now: Date, leaseUntil: Date) {
    const r = await unlessRefused(this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: subKey(partnerId, meetingId),
      UpdateExpression: 'SET leaseUntil = :lease',
      ConditionExpression: 'dueAt <= :now AND (attribute_not_exists(leaseUntil) OR attribute_type(leaseUntil, :null) OR leaseUntil <= :now)',
      ExpressionAttributeValues: { ':lease': leaseUntil.toISOString(), ':now': now.toISOString(), ':null': 'NULL' },
      ReturnValues: 'ALL_NEW',
    })));
    return r?.Attributes ? toSubscription(r.Attributes) : undefined;
  }

  async saveMeetingSubscription(sub: MeetingSubscription, opts: { ifRevision?: number } = {}) {
    if (sub.subscriptionId) {
      // the lifecycle notifications name only the subscription id; written first, so a record never names an unlinked id
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...subIdKey(sub.partnerId, sub.subscriptionId), type: 'subscription-id', partnerId: sub.partnerId, meetingId: sub.meetingId },
      }));
    }
    const item = { ...this.subscriptionItem(sub), revision: (opts.ifRevision ?? sub.revision ?? 0) + 1 };
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName, Item: item,
        ...(opts.ifRevision === undefined ? {} : {
          ConditionExpression: opts.ifRevision === 0 ? 'attribute_not_exists(revision) OR revision = :r' : 'revision = :r',
          ExpressionAttributeValues: { ':r': opts.ifRevision },
        }),
      }));
    } catch (e) {
      if (isConditionFailure(e)) throw new VersionConflictError(`meeting subscription ${sub.partnerId}/${sub.meetingId} changed meanwhile`);
      throw e;
    }
  }

  async listMeetingSubscriptionsDue(now: Date, limit: number) {
    const r = await this.db.send(new QueryCommand({
      TableName: this.tableName, IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :u',
      ExpressionAttributeValues: { ':pk': SUBSCRIPTIONS_DUE_PK, ':u': `${now.toISOString()}#~` },
      Limit: limit,
    }));
    // the index carries the table keys and partnerId: the meeting's key part is the rest of PK (claim bounds it again, unchanged)
    return (r.Items ?? []).map((i) => {
      const partnerId = i.partnerId as string;
      return { partnerId, meetingId: (i.PK as string).slice(`SUB#${partnerId}#`.length), dueAt: (i.GSI2SK as string).split('#')[0]! };
    });
  }

  private subscriptionItem(sub: MeetingSubscription) {
    return {
      ...subKey(sub.partnerId, sub.meetingId), type: 'subscription', ...sub,
      ...(sub.dueAt ? { GSI2PK: SUBSCRIPTIONS_DUE_PK, GSI2SK: `${sub.dueAt}#SUB#${sub.partnerId}#${boundedKeyPart(sub.meetingId)}` } : {}),
    };
  }

  /** One query: the case's items (one per partner) whose customer (in the draft) is, or is not, `customerId`. */
  private caseItems(caseId: string, op: '=' | '<>', customerId: string) {
    return this.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
      FilterExpression: `#d.#c ${op} :c`,
      ExpressionAttributeNames: { '#d': 'draft', '#c': 'customerId' },
      ExpressionAttributeValues: { ':pk': `CASE#${caseId}`, ':p': 'PARTNER#', ':c': customerId },
      ConsistentRead: true,
    });
  }

  private dueAttributes(id: string, at: Date) {
    return { GSI2PK: `DUE#${shardOf(id)}`, GSI2SK: `${at.toISOString()}#${id}` };
  }

  private async queryAll(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>) {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const r = await this.db.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey }));
      items.push(...(r.Items ?? []));
      ExclusiveStartKey = r.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }
}

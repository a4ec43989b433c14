/**
 * The EscalationStore on DynamoDB (single table; see ../shared/DESIGN.md "Data").
 * Deterministic keys and conditional writes, no transactions: the same code runs on dynalite and AWS.
 */
import {
  DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { createHash, randomUUID } from 'node:crypto';
import { dueAt, type CaseDetails, type Escalation } from '../../core/escalation';
import { derivedTimeline } from '../../core/timeline';
import { VersionConflictError } from '../../core/errors';
import type { ClaimedComment, DueItem, EscalationStore, MessageFailure, PendingComment, TimelineEntry } from '../../core/ports';
import { isConditionFailure } from './conditional-write';
import { DeliveryMarks } from './delivery-marks';
import { DUE_SHARDS } from './table-schema';


const escKey = (id: string) => ({ PK: `ESC#${id}`, SK: 'META' });
const caseKey = (caseId: string, partnerId: string) => ({ PK: `CASE#${caseId}`, SK: `PARTNER#${partnerId}` });
/**
 * Ids that come from outside (webhook delivery ids, dedupe keys built from them) can be longer than a
 * DynamoDB key may be (2 KB partition, 1 KB sort): long ones are replaced by their SHA-256.
 */
export const boundedKeyPart = (id: string) => (id.length <= 200 ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`);
const ticketKey = (partnerId: string, ticketId: string) => ({ PK: `PTKT#${partnerId}#${boundedKeyPart(ticketId)}`, SK: 'META' });
const hookKey = (partnerId: string, deliveryId: string) => ({ PK: `HOOK#${partnerId}#${boundedKeyPart(deliveryId)}`, SK: 'META' });
/** A comment's own timeline item (the same key its dedupe key `comment#<id>` always had). */
const COMMENT_SK_PREFIX = 'T#comment#';
const commentKey = (escalationId: string, commentId: string) => ({ PK: `ESC#${escalationId}`, SK: `T#${boundedKeyPart(`comment#${commentId}`)}` });
/** A comment text's mark (its SHA-256: texts may be up to 10,000 characters), outside the timeline's `T#` range. */
const commentTextKey = (escalationId: string, textKey: string) => ({ PK: `ESC#${escalationId}`, SK: `CTEXT#${createHash('sha256').update(textKey).digest('hex')}` });
const shardOf = (id: string) => createHash('sha1').update(id).digest()[0]! % DUE_SHARDS;

/** Item attributes that are keys or bookkeeping, not part of the escalation. */
const ITEM_ONLY = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'type'] as const;

const toEntry = (i: Record<string, unknown>): TimelineEntry => ({ at: i.at as string, type: i.kind as string, actor: i.actor as string, detail: i.detail as Record<string, unknown> });
const byTime = (a: TimelineEntry, b: TimelineEntry) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0);

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
const OPTIONAL: Record<OptionalKeys<Escalation>, true> = { customerSummary: true, ticketMode: true, ticketDueBy: true, updateDueBy: true, agedFor: true, opening: true, commentsPending: true, commentTexts: true };

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

  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {
    this.deliveries = new DeliveryMarks(db, tableName);
  }

  /** Two writes: the case item (uniqueness, and the draft for repair), then the escalation item. */
  async createEscalation(draft: Escalation, details: CaseDetails) {
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

  async getTimeline(escalationId: string): Promise<TimelineEntry[]> {
    return (await this.getEscalationWithTimeline(escalationId))?.timeline ?? [];
  }

  /** One query over the escalation's partition: its item and its timeline entries. */
  async getEscalationWithTimeline(escalationId: string) {
    const items = await this.queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `ESC#${escalationId}` }, ConsistentRead: true });
    const meta = items.find((i) => i.SK === 'META');
    if (!meta) return undefined;
    const escalation = toEscalation(meta);
    const stored = items.filter((i) => (i.SK as string).startsWith('T#'));
    const storedKeys = new Set(stored.map((i) => i.SK as string));
    const derived = derivedTimeline(escalation).filter((d) => !storedKeys.has(`T#${boundedKeyPart(d.dedupeKey)}`)).map((d) => d.entry);
    return { escalation, timeline: [...derived, ...stored.map(toEntry)].sort(byTime) };
  }

  async getCaseDetails(e: Pick<Escalation, 'caseId' | 'partnerId'>): Promise<CaseDetails | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.tableName, Key: caseKey(e.caseId, e.partnerId), ConsistentRead: true }));
    return r.Item ? { findings: r.Item.findings as string, customerContact: (r.Item.customerContact ?? null) as CaseDetails['customerContact'] } : undefined;
  }

  async listByCase(caseId: string) {
    const cases = await this.queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `CASE#${caseId}` }, ConsistentRead: true });
    // the case items name their escalations: read those (and repair one a crashed flag left half-written)
    const all = await Promise.all(cases.map(async (c) =>
      (await this.getEscalation(c.escalationId as string)) ?? this.existingForCase(caseId, (c.SK as string).slice('PARTNER#'.length))));
    return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** A customer's escalations of a case: the case's own (one query and a read per partner), filtered by owner. */
  async listByCustomerCase(customerId: string, caseId: string) {
    return (await this.listByCase(caseId)).filter((e) => e.customerId === customerId);
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
    try {
      const r = await this.db.send(new UpdateCommand({
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
      }));
      return r.Attributes ? toEscalation(r.Attributes) : undefined;
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  }

  async renewAttempt(escalationId: string, attempts: number, now: Date, leaseUntil: Date) {
    try {
      const r = await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: escKey(escalationId),
        UpdateExpression: 'SET leaseUntil = :lease, version = version + :one, updatedAt = :now',
        // the fencing token is the attempt count: a later claim has counted another attempt
        ConditionExpression: '#status = :requested AND attempts = :mine AND leaseUntil > :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':one': 1, ':lease': leaseUntil.toISOString(), ':now': now.toISOString(), ':mine': attempts, ':requested': 'requested' },
        ReturnValues: 'ALL_NEW',
      }));
      return r.Attributes ? toEscalation(r.Attributes) : undefined;
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  }

  async appendTimeline(escalationId: string, entry: TimelineEntry, dedupeKey?: string) {
    const sk = dedupeKey ? `T#${boundedKeyPart(dedupeKey)}` : `T#${entry.at}#${Math.random().toString(36).slice(2, 10)}`;
    return this.putOnce({
      PK: `ESC#${escalationId}`, SK: sk, type: 'timeline',
      at: entry.at, kind: entry.type, actor: entry.actor, detail: entry.detail,
    });
  }

  /** One item per comment; `pending` and the open-work entry go when it is forwarded. Then its text's mark. */
  async addPendingComment(escalationId: string, commentId: string, entry: TimelineEntry, redriveAt: Date, textKey?: string) {
    const key = commentKey(escalationId, commentId);
    const added = await this.putOnce({
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

  private async putOnce(item: Record<string, unknown>) {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(SK)' }));
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  /** Reads the escalation's comments only (`T#comment#…`), not the rest of its timeline. */
  async listPendingComments(escalationId: string): Promise<PendingComment[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :c)',
      FilterExpression: 'pending = :one',
      ExpressionAttributeValues: { ':pk': `ESC#${escalationId}`, ':c': COMMENT_SK_PREFIX, ':one': 1 },
      ConsistentRead: true,
    });
    return items
      .map((i) => ({ commentId: (i.SK as string).slice(COMMENT_SK_PREFIX.length), body: (i.detail as { body: string }).body, at: i.at as string }))
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  async claimComment(escalationId: string, commentId: string, now: Date, claimUntil: Date): Promise<ClaimedComment | undefined> {
    const token = randomUUID();
    try {
      const r = await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: commentKey(escalationId, commentId),
        UpdateExpression: 'SET claimUntil = :until, claimToken = :token, claims = if_not_exists(claims, :zero) + :one',
        ConditionExpression: 'pending = :one AND (attribute_not_exists(claimUntil) OR claimUntil <= :now)',
        ExpressionAttributeValues: { ':until': claimUntil.toISOString(), ':token': token, ':now': now.toISOString(), ':zero': 0, ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }));
      const i = r.Attributes!;
      return { commentId, body: (i.detail as { body: string }).body, at: i.at as string, token, claims: i.claims as number };
    } catch (e) {
      if (isConditionFailure(e)) return undefined;
      throw e;
    }
  }

  async releaseComment(escalationId: string, commentId: string, token: string) {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: commentKey(escalationId, commentId),
      UpdateExpression: 'REMOVE claimUntil, claimToken',
      ConditionExpression: 'claimToken = :token',
      ExpressionAttributeValues: { ':token': token },
    })).catch((e) => { if (!isConditionFailure(e)) throw e; });
  }

  async markCommentForwarded(escalationId: string, commentId: string, at: string) {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: commentKey(escalationId, commentId),
      UpdateExpression: 'REMOVE pending, claimUntil, claimToken, GSI2PK, GSI2SK SET forwardedAt = :at',
      ConditionExpression: 'attribute_exists(SK)',
      ExpressionAttributeValues: { ':at': at },
    }));
  }

  async deferComment(escalationId: string, commentId: string, dueAtTime: Date | null, redrives?: number) {
    const key = commentKey(escalationId, commentId);
    const due = dueAtTime ? this.commentDue(key, dueAtTime) : undefined;
    await this.db.send(new UpdateCommand({
      TableName: this.tableName, Key: key,
      UpdateExpression: due ? `SET GSI2PK = :pk, GSI2SK = :sk${redrives === undefined ? '' : ', redrives = :n'}` : 'REMOVE GSI2PK, GSI2SK',
      // still pending and in the index: a comment forwarded meanwhile is not brought back
      ConditionExpression: 'attribute_exists(GSI2PK) AND pending = :one',
      ExpressionAttributeValues: { ':one': 1, ...(due ? { ':pk': due.GSI2PK, ':sk': due.GSI2SK } : {}), ...(due && redrives !== undefined ? { ':n': redrives } : {}) },
    })).catch((e) => { if (!isConditionFailure(e)) throw e; });
  }

  private commentDue(key: { PK: string; SK: string }, at: Date) {
    return this.dueAttributes(`${key.PK}#${key.SK}`, at);
  }

  async putTicketLink(partnerId: string, ticketId: string, escalationId: string) {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...ticketKey(partnerId, ticketId), type: 'ticket', escalationId } }));
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

  async forgetDelivery(partnerId: string, deliveryId: string) {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: hookKey(partnerId, deliveryId) }));
  }

  async markDeliveryApplied(partnerId: string, deliveryId: string) {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName, Key: hookKey(partnerId, deliveryId),
      UpdateExpression: 'REMOVE GSI2PK, GSI2SK',
      ConditionExpression: 'attribute_exists(PK)',
    })).catch((e) => { if (!isConditionFailure(e)) throw e; });
  }

  async deferDelivery(partnerId: string, deliveryId: string, dueAtTime: Date, redrives?: number) {
    const due = this.dueAttributes(`HOOK#${partnerId}#${boundedKeyPart(deliveryId)}`, dueAtTime);
    await this.db.send(new UpdateCommand({
      TableName: this.tableName, Key: hookKey(partnerId, deliveryId),
      UpdateExpression: `SET GSI2PK = :pk, GSI2SK = :sk${redrives === undefined ? '' : ', redrives = :n'}`,
      // still in the index: a delivery that status sync applied meanwhile is not brought back
      ConditionExpression: 'attribute_exists(GSI2PK)',
      ExpressionAttributeValues: { ':pk': due.GSI2PK, ':sk': due.GSI2SK, ...(redrives === undefined ? {} : { ':n': redrives }) },
    })).catch((e) => { if (!isConditionFailure(e)) throw e; });
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
        // a pending comment: its id is in its key; how often the sweep re-drove it is not in the index
        const stored = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { PK: i.PK, SK: i.SK } }));
        return {
          kind: 'comment', escalationId: i.escalationId as string, commentId: (i.SK as string).slice(COMMENT_SK_PREFIX.length), dueAt: dueAtIso,
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

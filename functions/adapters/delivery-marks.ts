/**
 * Webhook delivery guard ("first time this delivery id is seen?") with writes coalesced across the
 * requests one process handles at the same time.
 *
 * Alone (as in a Lambda container, which serves one request at a time) a mark is one conditional PutItem:
 * strict, whoever else writes the same id. Several at once (the local runtime under a burst) share one
 * BatchGetItem (strongly consistent) and BatchWriteItem calls of 25: the SDK's per-request cost, which
 * dominates on the embedded DynamoDB, is paid once per batch, not per webhook. Ids seen twice in one
 * batch, or while an earlier mark of the same id is in flight, are answered from that mark. Only a second
 * process writing the same id between the batch's read and write could make both see it fresh; status sync
 * is idempotent per delivery (timeline dedupe keys, partner-time ordering), so it is still applied once.
 * A mark resolves only after its item is written: `true` then means "durably stored".
 */
import { isConditionFailure } from './conditional-write';
import { BatchGetCommand, BatchWriteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type Key = { PK: string; SK: string };
export interface Mark { key: Key; item: Record<string, unknown>; nowSec: number }

interface Pending extends Mark { resolve: (fresh: boolean) => void; reject: (e: unknown) => void }

const READ_BATCH = 100;
const WRITE_BATCH = 25;
const MAX_WRITE_TRIES = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DeliveryMarks {
  private pending: Pending[] = [];
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private scheduled = false;

  constructor(private readonly db: Pick<DynamoDBDocumentClient, 'send'>, private readonly tableName: string) {}

  /** `true` the first time (within the item's TTL) a delivery is marked. */
  mark(m: Mark): Promise<boolean> {
    const id = m.key.PK;
    const earlier = this.inFlight.get(id);
    if (earlier) return earlier.then(() => false, () => this.mark(m));
    const p = new Promise<boolean>((resolve, reject) => this.pending.push({ ...m, resolve, reject }));
    this.inFlight.set(id, p);
    const forget = () => { if (this.inFlight.get(id) === p) this.inFlight.delete(id); };
    p.then(forget, forget);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => { this.scheduled = false; this.flush(); });
    }
    return p;
  }

  private flush() {
    while (this.pending.length) {
      const batch = this.pending.splice(0, READ_BATCH);
      const run = batch.length === 1 ? this.single(batch[0]!) : this.batch(batch);
      run.catch((e) => batch.forEach((b) => b.reject(e)));
    }
  }

  private async single(p: Pending) {
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...p.key, ...p.item },
        // expired items may linger until DynamoDB's TTL (or, locally, nobody) removes them
        ConditionExpression: 'attribute_not_exists(PK) OR #ttl < :now',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':now': p.nowSec },
      }));
      p.resolve(true);
    } catch (e) {
      if (isConditionFailure(e)) p.resolve(false);
      else p.reject(e);
    }
  }

  private async batch(batch: Pending[]) {
    const got = await this.db.send(new BatchGetCommand({
      RequestItems: { [this.tableName]: { Keys: batch.map((b) => b.key), ConsistentRead: true, ProjectionExpression: 'PK, #ttl', ExpressionAttributeNames: { '#ttl': 'ttl' } } },
    }));
    // keys DynamoDB did not get to (throttling): decide those one by one, strictly
    const unread = new Set((got.UnprocessedKeys?.[this.tableName]?.Keys ?? []).map((k) => k.PK as string));
    const live = new Map((got.Responses?.[this.tableName] ?? []).map((i) => [i.PK as string, i.ttl as number | undefined]));
    const fresh: Pending[] = [];
    for (const b of batch) {
      if (unread.has(b.key.PK)) { void this.single(b); continue; }
      const ttl = live.get(b.key.PK);
      if (live.has(b.key.PK) && !(ttl !== undefined && ttl < b.nowSec)) b.resolve(false);
      else fresh.push(b);
    }
    for (let i = 0; i < fresh.length; i += WRITE_BATCH) {
      const chunk = fresh.slice(i, i + WRITE_BATCH);
      this.write(chunk).then(() => chunk.forEach((b) => b.resolve(true)), (e) => chunk.forEach((b) => b.reject(e)));
    }
  }

  /** BatchWriteItem, retrying what DynamoDB leaves unprocessed. */
  private async write(chunk: Pending[]) {
    let requests = chunk.map((b) => ({ PutRequest: { Item: { ...b.key, ...b.item } } }));
    for (let attempt = 0; requests.length; attempt++) {
      if (attempt === MAX_WRITE_TRIES) throw new Error(`could not store ${requests.length} webhook deliveries (throttled)`);
      if (attempt > 0) await sleep(20 * 2 ** attempt);
      const r = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
      requests = (r.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
    }
  }
}

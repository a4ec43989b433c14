/**
 * Counts what the hub asks of DynamoDB, with an SDK middleware on the client the store uses
 * (`client.middlewareStack.add`): operations by command, items read (Count/ScannedCount), and, in
 * capacity mode, the read and write units DynamoDB would bill.
 *
 * Capacity mode asks for `ReturnConsumedCapacity: 'TOTAL'` (dynalite answers it for the table: 1 WRU per
 * KB written, the larger of the old and new item; 1 RRU per 4 KB strongly consistent, ½ eventually
 * consistent; Query by the size of what it read). dynalite does not count index writes nor failed
 * conditional writes, which DynamoDB bills, so with `indexes` the meter also reads each written item before
 * and after the write (with a separate, uncounted client) and applies DynamoDB's GSI rules: an index entry
 * that appears or disappears costs one write of its size; a changed index key costs two (delete + put);
 * a changed projected attribute costs one (projection ALL: any attribute; KEYS_ONLY/INCLUDE: only those kept); nothing else costs anything.
 * A failed conditional write costs the size of the item it was compared against (at least 1 WRU).
 */
import { GetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, AttributeValue>;

export interface MeterCounts {
  /** Operations by command name (`PutItemCommand`, …); a BatchWriteItem counts once here. */
  ops: Record<string, number>;
  /** Read requests (GetItem, Query, BatchGetItem items) and write requests (Put/Update/Delete, batch items). */
  readOps: number;
  writeOps: number;
  /** Items the reads touched: Get that found one, Query ScannedCount. */
  itemsRead: number;
  /** Billed units (capacity mode only). */
  readUnits: number;
  tableWriteUnits: number;
  indexWriteUnits: number;
  failedConditionalWrites: number;
  /** Bytes of the items written (capacity mode with indexes only). */
  bytesWritten: number;
}

const emptyCounts = (): MeterCounts => ({
  ops: {}, readOps: 0, writeOps: 0, itemsRead: 0, readUnits: 0, tableWriteUnits: 0, indexWriteUnits: 0, failedConditionalWrites: 0, bytesWritten: 0,
});

/** DynamoDB's item size: attribute name bytes plus value sizes (numbers: ~1 byte per 2 significant digits + 1). */
export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + valueSize(v), 0);
}

function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').replace(/^0+/, '').length / 2) + 1;
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS) return v.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (v.NS) return v.NS.reduce((n, s) => n + valueSize({ N: s }), 0);
  if (v.L) return 3 + v.L.reduce((n, x) => n + 1 + valueSize(x), 0);
  if (v.M) return 3 + Object.keys(v.M).length + itemSize(v.M);
  return 0;
}

const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
const sameValue = (a: AttributeValue | undefined, b: AttributeValue | undefined) => JSON.stringify(a) === JSON.stringify(b);
const sameItem = (a: Item, b: Item) => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!sameValue(a[k], b[k])) return false;
  return true;
};

export interface MeteredIndex { partitionKey: string; sortKey: string; projection?: string; include?: readonly string[] }

/** What an index stores of an item: everything (ALL), or the table and index keys plus the included attributes. */
function projected(index: MeteredIndex, item: Item): Item {
  if (!index.projection || index.projection === 'ALL') return item;
  const keep = new Set(['PK', 'SK', index.partitionKey, index.sortKey, ...(index.projection === 'INCLUDE' ? index.include ?? [] : [])]);
  return Object.fromEntries(Object.entries(item).filter(([k]) => keep.has(k)));
}

/** Write units one index costs for a write that turned `before` into `after`, by its projection. */
export function indexWriteUnits(index: MeteredIndex, before: Item | undefined, after: Item | undefined): number {
  const inIndex = (i: Item | undefined): i is Item => !!i && i[index.partitionKey] !== undefined && i[index.sortKey] !== undefined;
  const was = inIndex(before);
  const is = inIndex(after);
  if (!was && !is) return 0;
  if (!was) return kb(itemSize(projected(index, after!)));
  if (!is) return kb(itemSize(projected(index, before!)));
  const keyChanged = !sameValue(before![index.partitionKey], after![index.partitionKey]) || !sameValue(before![index.sortKey], after![index.sortKey]);
  const [p, q] = [projected(index, before!), projected(index, after!)];
  if (keyChanged) return kb(itemSize(p)) + kb(itemSize(q));
  return sameItem(p, q) ? 0 : kb(Math.max(itemSize(p), itemSize(q)));
}

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand']);
const SINGLE_WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

export interface MeterOptions {
  /** Ask for and add up consumed capacity. */
  capacity?: boolean;
  /** With capacity: also bill index writes, reading items before and after each write with `raw`. */
  indexes?: { raw: DynamoDBClient; tableName: string; list: readonly MeteredIndex[] };
}

export interface DynamoMeter {
  readonly counts: MeterCounts;
  /** The counts so far, and starts again from zero. */
  take(): MeterCounts;
  stop(): void;
}

let seq = 0;

export function attachDynamoMeter(db: DynamoDBDocumentClient, opts: MeterOptions = {}): DynamoMeter {
  let counts = emptyCounts();
  let stopped = false;
  const name = `bench-meter-${++seq}`;
  const keyOf = (cmd: string, input: Record<string, unknown>): Item | undefined => {
    if (cmd === 'PutItemCommand') {
      const item = input.Item as Item;
      return { PK: item.PK!, SK: item.SK! };
    }
    return input.Key as Item | undefined;
  };
  const readRaw = async (key: Item | undefined) => {
    if (!key || !opts.indexes) return undefined;
    const r = await opts.indexes.raw.send(new GetItemCommand({ TableName: opts.indexes.tableName, Key: key, ConsistentRead: true }));
    return r.Item;
  };

  db.middlewareStack.add(
    (next, context) => async (args) => {
      if (stopped) return next(args);
      const cmd = (context as { commandName?: string }).commandName ?? 'unknown';
      const input = args.input as Record<string, unknown>;
      const c = counts;
      c.ops[cmd] = (c.ops[cmd] ?? 0) + 1;
      if (opts.capacity && cmd !== 'DescribeTableCommand' && cmd !== 'CreateTableCommand') input.ReturnConsumedCapacity = 'TOTAL';
      const detailed = opts.capacity && opts.indexes && SINGLE_WRITES.has(cmd);
      const key = detailed ? keyOf(cmd, input) : undefined;
      const before = detailed ? await readRaw(key) : undefined;
      let out;
      try {
        out = await next(args);
      } catch (err) {
        if (SINGLE_WRITES.has(cmd)) {
          c.writeOps++;
          if ((err as { name?: string }).name === 'ConditionalCheckFailedException') {
            c.failedConditionalWrites++;
            if (opts.capacity) c.tableWriteUnits += kb(itemSize(before));
          }
        }
        throw err;
      }
      const o = out.output as Record<string, unknown> & { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] };
      const consumed = [o.ConsumedCapacity ?? []].flat().reduce((n, x) => n + (x.CapacityUnits ?? 0), 0);
      if (READS.has(cmd)) {
        c.readOps++;
        c.itemsRead += cmd === 'GetItemCommand' ? (o.Item ? 1 : 0) : Number(o.ScannedCount ?? 0);
        // DynamoDB bills at least one unit (½ eventually consistent) per read, even of nothing
        if (opts.capacity) c.readUnits += Math.max(consumed, input.ConsistentRead ? 1 : 0.5);
      } else if (SINGLE_WRITES.has(cmd)) {
        c.writeOps++;
        if (detailed) {
          const after = await readRaw(key);
          c.bytesWritten += itemSize(after);
          c.tableWriteUnits += Math.max(kb(itemSize(before)), kb(itemSize(after)));
          for (const index of opts.indexes!.list) c.indexWriteUnits += indexWriteUnits(index, before, after);
        } else if (opts.capacity) {
          c.tableWriteUnits += consumed;
        }
      } else if (cmd === 'BatchWriteItemCommand') {
        const req = input.RequestItems as Record<string, unknown[]>;
        c.writeOps += Object.values(req).reduce((n, xs) => n + xs.length, 0);
        if (opts.capacity) c.tableWriteUnits += consumed;
      } else if (cmd === 'BatchGetItemCommand') {
        c.readOps++;
        if (opts.capacity) c.readUnits += consumed;
      }
      return out;
    },
    // build: the document client has marshalled the input by then
    { step: 'build', name, override: true },
  );

  return {
    get counts() { return counts; },
    take() { const c = counts; counts = emptyCounts(); return c; },
    stop() { stopped = true; db.middlewareStack.remove(name); },
  };
}

/** The embedded DynamoDB: dynalite on loopback, with LevelDB files under a directory (or in memory). */
import {
  CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, ResourceNotFoundException, ScanCommand, type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand, BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AddressInfo } from 'node:net';
import type { Log } from '../core/deps';
import { ConfigError } from '../core/errors';
import { TABLE_INDEXES, TABLE_KEYS } from '../topology/table-schema';
import { claimDataDir, preparePrivateDir } from './data-dir';

export const LOCAL_TABLE = 'hub';

// dynalite ships no types
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (opts: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => import('node:http').Server;

/**
 * Starts dynalite on `dataDir` (`memory`: nothing on disk). A directory on disk is made private (0700,
 * files 0600) and claimed: DataDirLockedError when another hub holds it (local/data-dir.ts).
 */
export async function startDynalite(dataDir: string, opts: { log?: Pick<Log, 'warn'> } = {}) {
  const memory = dataDir === 'memory';
  let release = () => {};
  if (!memory) {
    preparePrivateDir(dataDir, opts.log);
    release = await claimDataDir(dataDir);
  }
  const server = dynalite({ ...(memory ? {} : { path: dataDir }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 3 });
  const existed = await ensureTable(client, LOCAL_TABLE);
  if (existed) await rewriteOpenWorkIndex(client, LOCAL_TABLE);
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      release();
    },
  };
}

/**
 * The IAM actions a document-client command needs. The store's batches (delivery-marks.ts coalesces the
 * marks of concurrent webhooks, which only a process serving several requests at once does: the local
 * runtime, never a Lambda container) stand for the single reads and puts they replace.
 */
function actionsOf(command: object): string[] {
  if (command instanceof GetCommand || command instanceof BatchGetCommand) return ['dynamodb:GetItem'];
  if (command instanceof PutCommand) return ['dynamodb:PutItem'];
  if (command instanceof UpdateCommand) return ['dynamodb:UpdateItem'];
  if (command instanceof DeleteCommand) return ['dynamodb:DeleteItem'];
  if (command instanceof QueryCommand) return ['dynamodb:Query'];
  if (command instanceof BatchWriteCommand) {
    return Object.values(command.input.RequestItems ?? {}).flat().map((r) => (r.DeleteRequest ? 'dynamodb:DeleteItem' : 'dynamodb:PutItem'));
  }
  return [`dynamodb:${command.constructor.name.replace(/Command$/, '')}`];
}

/**
 * `db` for function `fn`: refuses the DynamoDB actions it is not granted, as IAM does in AWS
 * (topology/access.ts `table`). Its calls still go through `db` (and whatever meters it).
 */
export function grantedTable(db: DynamoDBDocumentClient, fn: string, actions: readonly string[]): Pick<DynamoDBDocumentClient, 'send'> {
  const send = async (command: object, ...rest: unknown[]) => {
    const refused = actionsOf(command).find((a) => !actions.includes(a));
    if (refused) throw new ConfigError(`${fn} is not granted ${refused} on the table (topology/access.ts)`);
    return (db.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
  };
  return { send: send as DynamoDBDocumentClient['send'] };
}

/**
 * dynalite writes an item and its index entries in separate LevelDB writes (old entries deleted, new ones
 * put, then the item): a process killed in between leaves an item without its index entry. For the
 * open-work index that would hide an escalation from the sweep for good, so at start-up every item that
 * belongs in it is put back unchanged, which rewrites its entries. Cost: one scan of the local table.
 * (DynamoDB itself has no such window.)
 */
export async function rewriteOpenWorkIndex(client: DynamoDBClient, tableName: string): Promise<number> {
  let rewritten = 0;
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, FilterExpression: 'attribute_exists(GSI2PK)', ExclusiveStartKey }));
    for (const Item of page.Items ?? []) {
      await client.send(new PutItemCommand({ TableName: tableName, Item }));
      rewritten++;
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return rewritten;
}

/** Creates the table unless it exists, and waits until it is ACTIVE; answers whether it existed before. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException) && (e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
  }
  const attrs = new Set<string>([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...TABLE_INDEXES.flatMap((i) => [i.partitionKey, i.sortKey])]);
  await client.send(new CreateTableCommand({
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attrs].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [{ AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' }, { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' }],
    GlobalSecondaryIndexes: TABLE_INDEXES.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [{ AttributeName: i.partitionKey, KeyType: 'HASH' }, { AttributeName: i.sortKey, KeyType: 'RANGE' }],
      Projection: { ProjectionType: i.projection, ...(i.include.length ? { NonKeyAttributes: [...i.include] } : {}) },
    })),
  }));
  // dynalite answers CreateTable with CREATING and turns ACTIVE on a later tick
  for (let i = 0; i < 200; i++) {
    const t = await client.send(new DescribeTableCommand({ TableName: tableName })).catch(() => undefined);
    if (t?.Table?.TableStatus === 'ACTIVE') return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

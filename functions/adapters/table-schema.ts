/** The single table's keys and indexes: shared by the store, the CDK stack and the local runtime. */

export const TABLE_KEYS = { partitionKey: 'PK', sortKey: 'SK' } as const;

/** GSI1: customer → case look-ups. GSI2 (sparse): open work by due time. */
export const TABLE_INDEXES = [
  { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
] as const;

export const TTL_ATTRIBUTE = 'ttl';

/** Shards of the open-work index, so that its partitions stay cool under heavy open work. */
export const DUE_SHARDS = 4;

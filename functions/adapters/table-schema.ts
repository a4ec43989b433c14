/** The single table's keys and indexes: shared by the store, the CDK stack and the local runtime. */

export const TABLE_KEYS = { partitionKey: 'PK', sortKey: 'SK' } as const;

/**
 * GSI1: customer → case look-ups, keys only (its keys never change after creation, so the escalation's many
 * later writes cost no index writes; a look-up reads the few escalations it finds). GSI2 (sparse): open work
 * by due time, with only what the sweep needs to route an item (an item's other changes cost nothing here).
 */
export const TABLE_INDEXES = [
  { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: 'KEYS_ONLY', include: [] as string[] },
  { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK', projection: 'INCLUDE', include: ['type', 'escalationId', 'partnerId', 'deliveryId'] },
] as const;

export const TTL_ATTRIBUTE = 'ttl';

/** Shards of the open-work index, so that its partitions stay cool under heavy open work. */
export const DUE_SHARDS = 4;

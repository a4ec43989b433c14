/** The single table's keys and indexes: shared by the store, the CDK stack and the local runtime. */

export const TABLE_KEYS = { partitionKey: 'PK', sortKey: 'SK' } as const;

/**
 * One index. GSI2 (sparse): open work by due time, with only what the sweep needs to route an item (an
 * item's other changes cost nothing here). Customer look-ups need no index: they read the case's own
 * partition (`CASE#<caseId>`, strongly consistent) and keep the customer's escalations. (An earlier
 * GSI1, customer → case, cost an index write per escalation for the same answer; older items still carry
 * its attributes, which nothing reads.)
 */
export const TABLE_INDEXES = [
  { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK', projection: 'INCLUDE', include: ['type', 'escalationId', 'partnerId', 'deliveryId'] as string[] },
] as const;

export const TTL_ATTRIBUTE = 'ttl';

/** Shards of the open-work index, so that its partitions stay cool under heavy open work. */
export const DUE_SHARDS = 4;

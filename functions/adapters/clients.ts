/**
 * The DynamoDB client every function uses, created once per container and reused by every invocation.
 * The other AWS clients live with their adapters (eventbridge-bus.ts, sqs-queue.ts, sqs-dead-letters.ts,
 * ses-email.ts, secrets.ts), so a function loads only the SDK packages of the services it calls.
 *
 * No Powertools Tracer (X-Ray SDK) wrapping: the functions run with Lambda active tracing instead, see
 * docs/performance.md ("Cold start") for what that keeps and what it gives up.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './document-client';

export { documentClient };

let db: DynamoDBDocumentClient | undefined;
export const dynamoDocumentClient = (): DynamoDBDocumentClient => (db ??= documentClient(new DynamoDBClient({})));

/** AWS clients, created once per container and reused by every invocation. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

let cached: { db: DynamoDBDocumentClient; sqs: SQSClient; events: EventBridgeClient } | undefined;
export function awsClients() {
  return (cached ??= { db: documentClient(new DynamoDBClient({})), sqs: new SQSClient({}), events: new EventBridgeClient({}) });
}

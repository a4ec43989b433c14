/** AWS clients, created once per container and reused by every invocation; traced with Powertools Tracer (X-Ray). */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** One tracer per container: each SDK call becomes an X-Ray subsegment of the function's trace. */
export const tracer = new Tracer({ serviceName: 'partner-escalation-hub' });

let cached: { db: DynamoDBDocumentClient; sqs: SQSClient; events: EventBridgeClient } | undefined;
export function awsClients() {
  return (cached ??= {
    db: documentClient(tracer.captureAWSv3Client(new DynamoDBClient({}))),
    sqs: tracer.captureAWSv3Client(new SQSClient({})),
    events: tracer.captureAWSv3Client(new EventBridgeClient({})),
  });
}

/**
 * The stateful half (STYLE.md habit 12): the single table, the bus, the queues with their dead-letter
 * queues, and the partner secrets. Handed to the stateless half as typed props.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../core/events';
import { TABLE_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../functions/adapters/table-schema';
import type { QueueSpec } from './topology';

export interface HubStateProps {
  queues: readonly QueueSpec[];
  /** `${NAME}` references of the partner configuration: one secret each. */
  secretNames: readonly string[];
  /** Prefix of the secrets' names in Secrets Manager, e.g. `partner-escalation-hub/`. */
  secretPrefix: string;
  /** RETAIN (default) keeps the table when the stack is deleted; DESTROY is for throw-away stacks. */
  dataRemovalPolicy: RemovalPolicy;
}

export interface HubQueue {
  spec: QueueSpec;
  queue: sqs.Queue;
  deadLetterQueue: sqs.Queue;
}

export class HubState extends Construct {
  readonly table: dynamodb.Table;
  readonly bus: events.EventBus;
  /** By logical queue name (core/deps.ts QUEUES). */
  readonly queues = new Map<string, HubQueue>();
  /** By `${NAME}`. */
  readonly secrets = new Map<string, secretsmanager.Secret>();

  constructor(scope: Construct, id: string, props: HubStateProps) {
    super(scope, id);

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: props.dataRemovalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: props.dataRemovalPolicy,
    });
    for (const ix of TABLE_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: ix.indexName,
        partitionKey: { name: ix.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: ix.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType[ix.projection],
        ...(ix.include.length ? { nonKeyAttributes: [...ix.include] } : {}),
      });
    }

    this.bus = new events.EventBus(this, 'Bus', { description: 'partner-escalation-hub domain events' });
    // a week of events to replay after an incident (e.g. a consumer bug that dead-lettered work)
    this.bus.archive('Archive', { eventPattern: { source: [EVENT_SOURCE] }, retention: Duration.days(7) });

    for (const spec of props.queues) {
      const idBase = queueId(spec.name);
      const deadLetterQueue = new sqs.Queue(this, `${idBase}Dlq`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(deadLetterQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself a dead-letter queue; it is watched by a depth alarm and redriven by hand.',
      });
      const queue = new sqs.Queue(this, idBase, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
      });
      this.queues.set(spec.name, { spec, queue, deadLetterQueue });
    }

    for (const name of props.secretNames) {
      const secret = new secretsmanager.Secret(this, `Secret${name}`, {
        secretName: `${props.secretPrefix}${name}`,
        description: `partner-escalation-hub: value of \${${name}} in the partner configuration (set it with put-secret-value)`,
        // a random placeholder until an operator puts the partner-issued value (docs/deploy.md)
        generateSecretString: { passwordLength: 32, excludePunctuation: true },
        removalPolicy: RemovalPolicy.DESTROY,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Partner-issued credentials and webhook secrets are rotated by the partner, not by a Lambda; operators put the new value (docs/deploy.md).',
      });
      this.secrets.set(name, secret);
    }
  }
}

/** A construct id from a logical queue name: `partner-work-acme` → `PartnerWorkAcme`. */
export const queueId = (name: string) => name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');

/**
 * One construct for every function's defaults (STYLE.md habit 11): Node.js 22 on arm64, esbuild bundling
 * with the local esbuild (no Docker), minified with source maps, X-Ray tracing, JSON logs in a log group
 * with a retention, Powertools settings. Helpers set an environment variable and grant the matching
 * least privilege together, so a function can never get a resource name without its permission, or the
 * reverse.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALIASES, BUNDLE_TARGET, EXTERNAL_MODULES, MAIN_FIELDS, NODE_OPTIONS } from './bundling/esbuild-settings';
import { TABLE_INDEXES } from '../topology/table-schema';
import type { TableAction } from '../topology/access';
import { REPO_ROOT } from './hub-config';
import { acknowledgeWildcards } from './nag';
import { STATUS_LINK_KEY } from '../core/status-links';
import type { FunctionSpec, QueueSpec } from '../topology/topology';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Lambda's limit on the total size of a function's environment variables. */
export const MAX_ENVIRONMENT_BYTES = 4096;
/**
 * What a reference resolves to at deploy time, at most: the longest is a queue URL
 * (`https://sqs.<region>.amazonaws.com/<account>/<name of up to 80>`); ARNs and names are shorter.
 */
export const RESOLVED_REFERENCE_BYTES = 140;
/** The configuration's file in every bundle, beside index.js: Lambda's working directory, where functions/adapters/config-source.ts reads it. */
export const BUNDLED_CONFIG_FILE = 'hub.config.json';

export interface HubFunctionProps {
  spec: FunctionSpec;
  /** Variables every function gets (service name, log level). */
  environment: Record<string, string>;
  /**
   * The partner configuration as written (`${NAME}` references unresolved), bundled as hub.config.json:
   * in the code, not the environment, whose 4 KB it would outgrow as partners and desks are added.
   */
  configJson: string;
  logRetention: logs.RetentionDays;
}

/** The bundling step that writes the configuration into the bundle (staged in a file named by its digest). */
export function bundleConfig(configJson: string) {
  const staged = join(tmpdir(), `hub-config-${createHash('sha256').update(configJson).digest('hex').slice(0, 16)}.json`);
  writeFileSync(staged, configJson);
  return {
    beforeBundling: (): string[] => [],
    beforeInstall: (): string[] => [],
    afterBundling: (_inputDir: string, outputDir: string): string[] => [`cp "${staged}" "${join(outputDir, BUNDLED_CONFIG_FILE)}"`],
  };
}

export class HubFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly spec: FunctionSpec;
  readonly logGroup: logs.LogGroup;
  /** Every variable it is given, as set (the helpers below add theirs). */
  private readonly env: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: HubFunctionProps) {
    super(scope, id);
    this.spec = props.spec;
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });

    // an explicit role with an inline log policy instead of the AWSLambdaBasicExecutionRole managed policy
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `partner-escalation-hub ${props.spec.name}`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [this.logGroup.logGroupArn], // the log group's ARN already covers its streams (`…:log-group:name:*`)
    }));

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, props.spec.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      description: props.spec.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.spec.memoryMb,
      timeout: Duration.seconds(props.spec.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: Object.assign(this.env, { NODE_OPTIONS, HUB_FUNCTION: props.spec.name, ...props.environment }),
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT, // index.js.map plus the sourceMappingURL comment --enable-source-maps follows
        sourcesContent: false,
        target: BUNDLE_TARGET,
        format: OutputFormat.CJS,
        mainFields: MAIN_FIELDS,
        externalModules: EXTERNAL_MODULES,
        esbuildArgs: Object.fromEntries(Object.entries(ALIASES).map(([from, to]) => [`--alias:${from}`, to])),
        // the asset's hash is its output's: a configuration change is a code change, deployed as one
        commandHooks: bundleConfig(props.configJson),
      },
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime the hub is built, bundled and tested for (DESIGN.md); moving to a newer one is a deliberate, tested change.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only the X-Ray actions of active tracing use `*`: they have no resource-level permissions. Data actions are scoped to a table, bus, queue or secret.',
    });
    // checked at synth time: Lambda refuses an environment over 4 KB at deploy time, far from its cause
    this.node.addValidation({ validate: () => this.validateEnvironment() });
  }

  /** The whole environment's size once deployed, at most (resolvedBytes): what synth checks. */
  environmentBytes(): number {
    return Object.entries(this.env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + resolvedBytes(Stack.of(this).resolve(v)), 0);
  }

  private validateEnvironment(): string[] {
    const bytes = this.environmentBytes();
    return bytes > MAX_ENVIRONMENT_BYTES
      ? [`function ${this.spec.name}: its environment is up to ${bytes} bytes once deployed, over Lambda's ${MAX_ENVIRONMENT_BYTES} (${Object.keys(this.env).join(', ')})`]
      : [];
  }

  private setEnv(name: string, value: string) {
    this.env[name] = value;
    this.fn.addEnvironment(name, value);
  }

  /** TABLE_NAME, and exactly these item actions on the table and its indexes. */
  useTable(table: dynamodb.ITable, actions: readonly TableAction[]): this {
    this.setEnv('TABLE_NAME', table.tableName);
    this.fn.addToRolePolicy(new iam.PolicyStatement({
      actions: [...actions],
      resources: [table.tableArn, ...(actions.includes('dynamodb:Query') ? TABLE_INDEXES.map((ix) => `${table.tableArn}/index/${ix.indexName}`) : [])],
    }));
    return this;
  }

  /** BUS_NAME, and events:PutEvents on that bus only. */
  publishTo(bus: events.IEventBus): this {
    this.setEnv('BUS_NAME', bus.eventBusName);
    bus.grantPutEventsTo(this.fn);
    return this;
  }

  /** QUEUE_URLS (logical name → URL), and sqs:SendMessage on exactly those queues. */
  sendTo(queues: ReadonlyMap<string, sqs.IQueue>): this {
    const urls: Record<string, string> = {};
    for (const [name, q] of queues) urls[name] = q.queueUrl;
    this.setEnv('QUEUE_URLS', Stack.of(this).toJsonString(urls));
    if (queues.size) {
      this.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [...queues.values()].map((q) => q.queueArn) }));
    }
    return this;
  }

  /**
   * DLQ_TARGETS (work queue → its dead-letter queue's ARN), and what an SQS message-move task
   * needs: receive, delete and start/list move tasks on the dead-letter queues, send on the work queues.
   */
  manageDeadLetters(queues: readonly { spec: { name: string }; queue: sqs.IQueue; deadLetterQueue: sqs.IQueue }[]): this {
    // one ARN per queue (its URL is asked of SQS, a redrive goes back to each message's source): the
    // environment grows by the least per partner
    const targets: Record<string, string> = {};
    for (const q of queues) targets[q.spec.name] = q.deadLetterQueue.queueArn;
    this.setEnv('DLQ_TARGETS', Stack.of(this).toJsonString(targets));
    this.fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks'],
      resources: queues.map((q) => q.deadLetterQueue.queueArn),
    }));
    this.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: queues.map((q) => q.queue.queueArn) }));
    return this;
  }

  /** ses:SendEmail from this account's verified identities (e-mail subscribers). */
  sendEmail(): this {
    const identities = Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: '*' });
    this.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: [identities] }));
    acknowledgeWildcards(this.fn.role!, 'AwsSolutions-IAM5', [identities],
      'E-mail subscribers name their own sender and recipients in the configuration; SES only sends from identities verified in this account.');
    return this;
  }

  /**
   * ses:SendEmail and ses:SendRawEmail from exactly these SES identities (the e-mail partners' `from`
   * addresses and their domains: SES authorizes a send against whichever of the two is verified).
   */
  sendPartnerMail(identities: readonly string[]): this {
    if (identities.length === 0) return this;
    const stack = Stack.of(this);
    this.fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resources: identities.map((i) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: i })),
    }));
    return this;
  }

  /** INBOUND_MAIL_BUCKET and INBOUND_MAIL_PREFIX, and s3:GetObject under that prefix of that bucket only. */
  readInboundMail(bucket: s3.IBucket, prefix: string): this {
    this.setEnv('INBOUND_MAIL_BUCKET', bucket.bucketName);
    this.setEnv('INBOUND_MAIL_PREFIX', prefix);
    const objects = bucket.arnForObjects(`${prefix}*`);
    this.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] }));
    acknowledgeWildcards(this.fn.role!, 'AwsSolutions-IAM5', [objects],
      'SES names each stored mail by its message id, known only when it arrives: the read covers the prefix the hub\'s receipt rule writes to, in the stack\'s own mail bucket.');
    return this;
  }

  /**
   * HUB_SECRET_PREFIX (each `${NAME}` of the configuration is the secret `<prefix><NAME>`, read by name:
   * one variable however many secrets there are), and secretsmanager:GetSecretValue on exactly those secrets.
   */
  readSecrets(secrets: ReadonlyMap<string, secretsmanager.ISecret>, prefix: string): this {
    for (const s of secrets.values()) s.grantRead(this.fn);
    if (secrets.size) this.setEnv('HUB_SECRET_PREFIX', prefix);
    return this;
  }

  /** HUB_SESSION_SECRET_ARN, and secretsmanager:GetSecretValue on the status-link key only. */
  signStatusLinks(key: secretsmanager.ISecret): this {
    this.setEnv(`${STATUS_LINK_KEY}_ARN`, key.secretArn);
    key.grantRead(this.fn);
    return this;
  }

  /** HUB_PUBLIC_URL: the hub's public base URL (the address partners post webhooks to); needs no grant. */
  usePublicUrl(url: string): this {
    this.setEnv('HUB_PUBLIC_URL', url);
    return this;
  }

  /** HUB_SECRETS_WITHHELD: the configuration's secrets are deliberately not given to this function. */
  withholdSecrets(): this {
    this.setEnv('HUB_SECRETS_WITHHELD', 'true');
    return this;
  }

  /** Consumes a queue: partial batch responses, the topology's batch size and per-queue max concurrency. */
  consume(queue: sqs.IQueue, spec: QueueSpec): this {
    this.fn.addEventSource(new SqsEventSource(queue, {
      batchSize: spec.batchSize,
      maxConcurrency: spec.maxConcurrency,
      reportBatchItemFailures: true,
    }));
    return this;
  }
}

/**
 * A resolved value's size once deployed, at most: literals as they are, the parts of an `Fn::Join` added
 * up, any other reference (`Ref`, `Fn::GetAtt`) as the longest it can resolve to. The expression's own
 * length is no estimate: `{"Ref":"Queue"}` is shorter than the queue URL it becomes.
 */
export function resolvedBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (value !== null && typeof value === 'object' && 'Fn::Join' in value) {
    const [sep, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return parts.reduce<number>((n, p) => n + resolvedBytes(p), Buffer.byteLength(sep) * Math.max(parts.length - 1, 0));
  }
  return RESOLVED_REFERENCE_BYTES;
}

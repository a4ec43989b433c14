/** The AWS stack: what matters for correctness and safety, asserted on the synthesized template. */
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUEUES } from '../../core/deps';
import { ACCESS } from '../../topology/access';
import { configReferences } from '../../core/config';
import { readDeployedHubConfig } from '../../infra/hub-config';
import { HubStack } from '../../infra/hub-stack';
import { RESOLVED_REFERENCE_BYTES, resolvedBytes } from '../../infra/hub-function';
import { buildTopology, type FunctionName } from '../../topology/topology';
import { synthHub, type SynthesizedHub } from './hub-stack-fixture';

let hub: SynthesizedHub;
beforeAll(() => { hub = synthHub(); });

const idOf = (c: IConstruct) => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

function statementsOfRole(roleId: string): Statement[] {
  const policies = hub.template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } });
  return Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}
const actionsOf = (sts: Statement[]) => [...new Set(sts.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();
const resourcesFor = (sts: Statement[], action: string) =>
  sts.filter((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).includes(action)).flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));

describe('queues', () => {
  it('give every topology queue a dead-letter queue with the topology\'s redrive, encryption and TLS', () => {
    expect(hub.stack.state.queues.size).toBe(hub.stack.topology.queues.length);
    for (const spec of hub.stack.topology.queues) {
      const q = hub.stack.state.queues.get(spec.name)!;
      hub.template.hasResource('AWS::SQS::Queue', {
        Properties: {
          VisibilityTimeout: spec.visibilityTimeoutSeconds,
          SqsManagedSseEnabled: true,
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [idOf(q.deadLetterQueue), 'Arn'] }, maxReceiveCount: spec.maxReceiveCount },
        },
      });
      expect(Object.keys(hub.template.findResources('AWS::SQS::Queue', { Properties: { RedrivePolicy: Match.absent() } }))).toContain(idOf(q.deadLetterQueue));
    }
    // every queue (work and dead-letter) refuses plain-HTTP access
    const policies = Object.values(hub.template.findResources('AWS::SQS::QueuePolicy')).map((p) => JSON.stringify(p));
    for (const { queue, deadLetterQueue } of hub.stack.state.queues.values()) {
      for (const q of [queue, deadLetterQueue]) {
        expect(policies.some((p) => p.includes(idOf(q)) && p.includes('aws:SecureTransport'))).toBe(true);
      }
    }
  });

  it('are consumed with partial batch responses, the topology\'s batch size and per-queue max concurrency', () => {
    for (const spec of hub.stack.topology.queues) {
      const q = hub.stack.state.queues.get(spec.name)!;
      hub.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [idOf(q.queue), 'Arn'] },
        FunctionName: { Ref: idOf(hub.stack.services.fn(spec.consumer).fn) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: spec.batchSize,
        ScalingConfig: { MaximumConcurrency: spec.maxConcurrency },
      });
    }
    const mappings = Object.values(hub.template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(hub.stack.topology.queues.length);
  });

  it('one work queue per partner, so one partner\'s outage never delays another\'s', () => {
    const partnerQueues = hub.stack.topology.queues.filter((q) => q.partnerId);
    expect(partnerQueues.map((q) => q.name).sort()).toEqual(hub.hubConfig.config.partners.map((p) => QUEUES.partnerWork(p.id)).sort());
  });
});

describe('table', () => {
  it('is on-demand, encrypted, point-in-time recoverable, with TTL on `ttl` and its one index (open work) projecting what the sweep routes by', () => {
    hub.template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }, { AttributeName: 'SK', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: [
        { IndexName: 'GSI2', KeySchema: [{ AttributeName: 'GSI2PK', KeyType: 'HASH' }, { AttributeName: 'GSI2SK', KeyType: 'RANGE' }], Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['type', 'escalationId', 'partnerId', 'deliveryId'] } },
      ],
    });
  });

  it('is retained (and deletion-protected) unless retainData is false', () => {
    hub.template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', Properties: { DeletionProtectionEnabled: true } });
    const throwaway = synthHub({ retainData: false });
    throwaway.template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', Properties: { DeletionProtectionEnabled: false } });
  });
});

describe('alarms', () => {
  const alarmOn = (metricName: string, dimension: Record<string, unknown>, threshold: number) => hub.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: metricName,
    Dimensions: [dimension],
    Threshold: threshold,
    ComparisonOperator: 'GreaterThanThreshold',
    AlarmActions: [{ Ref: idOf(hub.stack.alarms.topic) }],
  });

  it('fire on any message in every dead-letter queue, and on old messages in every work queue', () => {
    for (const { spec, queue, deadLetterQueue } of hub.stack.state.queues.values()) {
      alarmOn('ApproximateNumberOfMessagesVisible', { Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(deadLetterQueue), 'QueueName'] } }, 0);
      alarmOn('ApproximateAgeOfOldestMessage', { Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(queue), 'QueueName'] } }, Math.max(600, 2 * spec.visibilityTimeoutSeconds));
    }
  });

  it('fire on errors and throttles of every function, to an encrypted topic with the on-call subscription', () => {
    for (const f of hub.stack.services.functions.values()) {
      alarmOn('Errors', { Name: 'FunctionName', Value: { Ref: idOf(f.fn) } }, 0);
      alarmOn('Throttles', { Name: 'FunctionName', Value: { Ref: idOf(f.fn) } }, 0);
    }
    hub.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    hub.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  it('fire when a partner refuses the hub\'s own credentials (HubProblems, the series the metrics adapter writes without the partner)', () => {
    alarmOn('HubProblems', { Name: 'service', Value: 'partner-escalation-hub' }, 0);
    hub.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'HubProblems', Namespace: 'PartnerEscalationHub', Statistic: 'Sum' });
  });
});

describe('functions', () => {
  it('run Node.js 22 on arm64 with tracing, JSON logs with a retention, and source maps enabled', () => {
    for (const f of hub.stack.services.functions.values()) {
      hub.template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Timeout: f.spec.timeoutSeconds,
        MemorySize: f.spec.memoryMb,
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: idOf(f.logGroup) } },
        Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps', HUB_FUNCTION: f.spec.name }) },
      });
      hub.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    }
  });

  const BASE = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
  const CONSUME = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'];
  const SECRETS = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
  // the store's item actions, on the table and its named indexes; never Scan, Batch*, Transact*, PartiQL
  const TABLE = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'].map((x) => `dynamodb:${x}`);
  // from the e-mail partner's `from` identity only (test/infra/inbound-mail.test.ts pins the resources)
  const PARTNER_MAIL = ['ses:SendEmail', 'ses:SendRawEmail'];
  const WORK = ['partner-work-microsoft', 'partner-work-zoom', 'partner-work-contoso-mail'];
  // pinned by hand from the use cases (core/use-cases): a change here is a deliberate change of privilege
  const EXPECTED: Record<FunctionName, { actions: string[]; sendsTo: string[] }> = {
    api: { actions: [...TABLE, 'events:PutEvents', ...SECRETS], sendsTo: [] },
    // a desk event flags the case (EscalationRequested) or notes on the desk case why not (desk-writeback)
    webhook: { actions: [...TABLE, 'events:PutEvents', 'sqs:SendMessage', ...SECRETS], sendsTo: [QUEUES.inbound, QUEUES.deskWriteback] },
    'partner-worker': { actions: [...TABLE, 'events:PutEvents', 'sqs:SendMessage', ...CONSUME, ...SECRETS, ...PARTNER_MAIL], sendsTo: WORK },
    'status-sync': { actions: [...TABLE, 'events:PutEvents', ...CONSUME, ...SECRETS], sendsTo: [] },
    'comment-forwarder': { actions: [...TABLE, ...CONSUME, ...SECRETS, ...PARTNER_MAIL], sendsTo: [] },
    sweep: { actions: [...TABLE, 'events:PutEvents', 'sqs:SendMessage'], sendsTo: [...WORK, QUEUES.inbound, QUEUES.comments] },
    poller: { actions: [...TABLE, 'events:PutEvents', ...SECRETS], sendsTo: [] },
    notifier: { actions: [...TABLE, 'sqs:SendMessage', ...CONSUME, ...SECRETS, 'ses:SendEmail'], sendsTo: [QUEUES.notifications] },
    // writes to the desk case with the desk's credentials; a throttled write goes back on its own queue after Retry-After
    'desk-writeback': { actions: [...TABLE, 'sqs:SendMessage', ...CONSUME, ...SECRETS], sendsTo: [QUEUES.deskWriteback] },
    // Graph subscriptions with the collaboration credentials; records in the table; no bus, no queue
    'meeting-subscriptions': { actions: [...TABLE, ...SECRETS], sendsTo: [] },
    // partner mail SES stored: read it (under the receipt rule's prefix), record it, enqueue it to inbound like a webhook
    'mail-inbound': { actions: [...TABLE, 'sqs:SendMessage', ...SECRETS, 's3:GetObject'], sendsTo: [QUEUES.inbound] },
    // reads failure reasons; redrive = an SQS message-move task from each dead-letter queue back to its work queue;
    // `hub doctor` reads the partner secrets to check them and make each connector's harmless calls
    admin: {
      actions: ['dynamodb:GetItem', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ListMessageMoveTasks', 'sqs:ReceiveMessage', 'sqs:SendMessage', 'sqs:StartMessageMoveTask', ...SECRETS],
      sendsTo: [...WORK, QUEUES.inbound, QUEUES.comments, QUEUES.notifications, QUEUES.deskWriteback],
    },
  };

  it.each(Object.keys(EXPECTED) as FunctionName[])('%s has exactly its actions, on exactly its resources', (name) => {
    const f = hub.stack.services.fn(name);
    const sts = statementsOfRole(idOf(f.fn.role!));
    expect(actionsOf(sts)).toEqual([...BASE, ...EXPECTED[name].actions].sort());
    // only X-Ray has no resource-level permissions
    for (const s of sts) if (s.Resource === '*') expect(actionsOf([s]).every((a) => a.startsWith('xray:'))).toBe(true);
    // data actions: this table (and its named index), never a wildcard index
    const tableArn = { 'Fn::GetAtt': [idOf(hub.stack.state.table), 'Arn'] };
    if (EXPECTED[name].actions.includes('dynamodb:Query')) {
      expect(resourcesFor(sts, 'dynamodb:Query')).toEqual([tableArn, { 'Fn::Join': ['', [tableArn, '/index/GSI2']] }]);
    } else {
      expect(resourcesFor(sts, 'dynamodb:GetItem')).toEqual([tableArn]);
    }
    if (name === 'admin') {
      const dlqs = [...hub.stack.state.queues.values()].map((q) => JSON.stringify({ 'Fn::GetAtt': [idOf(q.deadLetterQueue), 'Arn'] })).sort();
      expect(resourcesFor(sts, 'sqs:StartMessageMoveTask').map((r) => JSON.stringify(r)).sort()).toEqual(dlqs);
    }
    const secretIds = [...hub.stack.state.secrets.values()].map((x) => ({ Ref: idOf(x) }));
    // partner secrets where a connector is called; the status-link key for the api function only
    const expectedSecrets = [...(ACCESS[name].readsPartnerSecrets ? secretIds : []), ...(name === 'api' ? [{ Ref: idOf(hub.stack.state.statusLinkKey) }] : [])];
    expect(resourcesFor(sts, 'secretsmanager:GetSecretValue')).toEqual(expectedSecrets);
    const sent = resourcesFor(sts, 'sqs:SendMessage').map((r) => JSON.stringify(r));
    const expectedSent = EXPECTED[name].sendsTo.map((q) => JSON.stringify({ 'Fn::GetAtt': [idOf(hub.stack.state.queues.get(q)!.queue), 'Arn'] }));
    expect(sent.sort()).toEqual(expectedSent.sort());
    if (EXPECTED[name].actions.includes('events:PutEvents')) {
      expect(resourcesFor(sts, 'events:PutEvents')).toEqual([{ 'Fn::GetAtt': [idOf(hub.stack.state.bus), 'Arn'] }]);
    }
  });

  it('get the resource names they were granted, and partner secrets only where a connector is called', () => {
    const env = (name: FunctionName) => {
      const fns = hub.template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: Match.objectLike({ HUB_FUNCTION: name }) } } });
      return (Object.values(fns)[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
    };
    for (const name of Object.keys(EXPECTED) as FunctionName[]) {
      const vars = env(name);
      expect(vars.TABLE_NAME).toEqual({ Ref: idOf(hub.stack.state.table) });
      // only publishers are given the bus (its name, and PutEvents on it): the others have no bus at all
      if (ACCESS[name].putEvents) expect(vars.BUS_NAME).toEqual({ Ref: idOf(hub.stack.state.bus) });
      else expect(vars).not.toHaveProperty('BUS_NAME');
      expect(vars.QUEUE_URLS).toBeDefined();
      const readsSecrets = ACCESS[name].readsPartnerSecrets;
      // the status-link key reaches the function that signs links, by ARN (its value is never in the template)
      if (name === 'api') expect(vars.HUB_SESSION_SECRET_ARN).toEqual({ Ref: idOf(hub.stack.state.statusLinkKey) });
      else expect(vars).not.toHaveProperty('HUB_SESSION_SECRET_ARN');
      expect(vars).not.toHaveProperty('HUB_SESSION_SECRET');
      // secrets by name (`<prefix><NAME>`): one variable however many there are
      expect(vars.HUB_SECRET_PREFIX).toBe(readsSecrets ? 'partner-escalation-hub/' : undefined);
      expect(vars.HUB_SECRETS_WITHHELD).toBe(readsSecrets ? undefined : 'true');
      // the configuration is bundled with the code (test/infra/bundling.test.ts), not in the 4 KB environment
      expect(Object.keys(vars).filter((k) => k.startsWith('HUB_CONFIG'))).toEqual([]);
      // the public URL (webhook address handed to Graph, printed by `hub doctor`) only where subscriptions are
      // made and in the admin function: the API's own endpoint
      if (name === 'meeting-subscriptions' || name === 'admin') {
        expect(hub.stack.resolve(vars.HUB_PUBLIC_URL)).toEqual(hub.stack.resolve(hub.stack.services.api.apiEndpoint));
      } else {
        expect(vars).not.toHaveProperty('HUB_PUBLIC_URL');
      }
    }
  });

  it('hands a custom domain to the subscriptions instead, when one fronts the API', () => {
    const custom = synthHub({ publicUrl: 'https://hub.example.com' });
    const fns = custom.template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: Match.objectLike({ HUB_FUNCTION: 'meeting-subscriptions' }) } } });
    expect((Object.values(fns)[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables.HUB_PUBLIC_URL).toBe('https://hub.example.com');
    custom.template.hasOutput('PublicUrl', { Value: 'https://hub.example.com' });
  });
});

describe('secrets', () => {
  it('one Secrets Manager secret per ${NAME} in the configuration', () => {
    expect(hub.hubConfig.secretNames).toEqual(['CRM_WEBHOOK_SECRET', 'DESK_SECRET', 'DESK_TOKEN', 'MICROSOFT_TOKEN', 'MICROSOFT_WEBHOOK_SECRET', 'ZOOM_TOKEN', 'ZOOM_WEBHOOK_SECRET']);
    for (const name of hub.hubConfig.secretNames) {
      hub.template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `partner-escalation-hub/${name}` });
    }
    // and the status-link key, generated by the stack so that nobody has to set it
    hub.template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'partner-escalation-hub/status-link-key', GenerateSecretString: { PasswordLength: 64 } });
    hub.template.resourceCountIs('AWS::SecretsManager::Secret', 8);
    expect(configReferences({ a: ['${A} and ${B_2}', { c: '${A}' }], d: 'plain $HOME ${not-a-name}' })).toEqual(['A', 'B_2']);
  });
});

describe('HTTP API', () => {
  it('routes every topology route, with the JWT authorizer exactly where the topology says `jwt`', () => {
    const authorizerId = Object.keys(hub.template.findResources('AWS::ApiGatewayV2::Authorizer'))[0]!;
    hub.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://auth.example.com/', Audience: ['hub-api'] },
    });
    for (const r of hub.stack.topology.routes) {
      hub.template.hasResourceProperties('AWS::ApiGatewayV2::Route', r.auth === 'jwt'
        ? { RouteKey: `${r.method} ${r.path}`, AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } }
        : { RouteKey: `${r.method} ${r.path}`, AuthorizationType: 'NONE' });
    }
    hub.template.resourceCountIs('AWS::ApiGatewayV2::Route', hub.stack.topology.routes.length);
    hub.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default', AutoDeploy: true, AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('refuses an issuer that is not an https URL, and an empty audience', () => {
    const build = (jwt: { issuer: string; audience: string[] }) => () =>
      new HubStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Bad', { hubConfig: hub.hubConfig, jwt });
    expect(build({ issuer: 'http://auth.example.com', audience: ['a'] })).toThrow(/https/);
    expect(build({ issuer: 'not a url', audience: ['a'] })).toThrow(/issuer URL/);
    expect(build({ issuer: 'https://auth.example.com', audience: [] })).toThrow(/jwtAudience/);
  });
});

describe('validation', () => {
  it('a large partner configuration fits (it travels in the code); an environment too large once deployed is refused at synth', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-infra-'));
    const partners = (n: number) => Array.from({ length: n }, (_, i) => ({
      id: `partner-${i}`, name: `Partner number ${i} with a long display name`, platforms: [`platform-${i}`], connector: 'generic-rest',
      baseUrl: `https://partner-${i}.example.com/api/v2`, credentials: { token: `\${P${i}_TOKEN}` }, webhookSecret: `\${P${i}_WEBHOOK}`,
    }));
    // 10 partners: a 4 KB configuration, and 15 dead-letter queues for the admin function
    writeFileSync(join(dir, 'ten.json'), JSON.stringify({ partners: partners(10) }));
    expect(() => synthHub({}, join(dir, 'ten.json'))).not.toThrow();
    // 30: the admin function's dead-letter queues, each a reference of up to 140 bytes once deployed, no longer fit
    writeFileSync(join(dir, 'big.json'), JSON.stringify({ partners: partners(30) }));
    expect(() => synthHub({}, join(dir, 'big.json'))).toThrow(/function admin: its environment is up to \d+ bytes once deployed, over Lambda's 4096/);
  });

  it('estimates a deployed value at its longest: literals as they are, a reference as the longest it resolves to', () => {
    expect(resolvedBytes('abc')).toBe(3);
    expect(resolvedBytes({ Ref: 'Queue' })).toBe(RESOLVED_REFERENCE_BYTES);
    expect(resolvedBytes({ 'Fn::Join': ['', ['{"q":"', { 'Fn::GetAtt': ['Queue', 'Arn'] }, '"}']] })).toBe(8 + RESOLVED_REFERENCE_BYTES);
  });

  it('reads the configuration with the hub\'s own schema, naming the failing field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-infra-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ partners: [{ id: 'Bad Id', name: 'x', platforms: [], connector: 'generic-rest', baseUrl: 'https://x.example' }] }));
    expect(() => readDeployedHubConfig(join(dir, 'bad.json'))).toThrow(/partners\[0\]\.id/);
  });
});

describe('cdk-nag', () => {
  it('AwsSolutions checks find nothing unacknowledged (errors or warnings)', () => {
    const report = new AwsSolutionsChecks().validateScope(hub.app);
    const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId ?? ''} ${r.locations?.join(',') ?? ''}`));
    expect(findings).toEqual([]);
  });

  it('would report an unsafe resource (the check above can fail)', () => {
    const app = new App();
    new Queue(new Stack(app, 'Unsafe'), 'PlainQueue', { encryption: QueueEncryption.UNENCRYPTED });
    const rules = new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });
});

describe('topology', () => {
  it('builds the same topology the stack was given', () => {
    expect(hub.stack.topology).toEqual(buildTopology(hub.hubConfig.config.partners, hub.hubConfig.config.subscribers, hub.hubConfig.config.desks));
    // the fixture's desk brings the desk-writeback function, its queue and its rule
    expect(hub.stack.topology.functions.map((f) => f.name)).toContain('desk-writeback');
  });
});

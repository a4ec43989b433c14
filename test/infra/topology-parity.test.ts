/**
 * topology/topology.ts (and topology/routes.ts) is the single declaration: every function, route, queue, rule and schedule it lists must be
 * in the synthesized AWS template AND in the local runtime, so the two cannot drift.
 */
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { parseHubConfig } from '../../core/config';
import { silentLog } from '../../core/deps';
import { DECLARED_ROUTES } from '../../topology/routes';
import { buildTopology, type Topology } from '../../topology/topology';
import type { LocalRule } from '../../local/bus';
import { startLocalHub, type LocalHub } from '../../local/hub';
import { synthHub, type SynthesizedHub } from './hub-stack-fixture';

let aws: SynthesizedHub;
let local: LocalHub;
let topology: Topology;

beforeAll(async () => {
  aws = synthHub();
  // the same partners, with the secrets as plain values (locally they come from the environment)
  const config = parseHubConfig(JSON.parse(aws.hubConfig.rawJson), {
    MICROSOFT_TOKEN: 't1', MICROSOFT_WEBHOOK_SECRET: 'whsec_dGVzdC1zZWNyZXQtMQ==', ZOOM_TOKEN: 't2', ZOOM_WEBHOOK_SECRET: 'whsec_dGVzdC1zZWNyZXQtMg==', CRM_WEBHOOK_SECRET: 'whsec_dGVzdC1zZWNyZXQtMw==', DESK_TOKEN: 't3', DESK_SECRET: 'desk-secret',
  });
  local = await startLocalHub({ config, dataDir: 'memory', jwtSecret: 'parity-test', log: silentLog, sweepIntervalMs: 60_000 });
  topology = buildTopology(config.partners, config.subscribers, config.desks);
});
afterAll(async () => { await local?.stop(); });

const idOf = (c: IConstruct) => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);

it('both sides are built from buildTopology() of the same partners', () => {
  expect(aws.stack.topology).toEqual(topology);
  expect(local.topology).toEqual(topology);
});

it('every function is a Lambda function in AWS; every queue consumer and route target exists locally', () => {
  for (const f of topology.functions) {
    aws.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: f.description,
      Environment: { Variables: Match.objectLike({ HUB_FUNCTION: f.name }) },
    });
  }
  aws.template.resourceCountIs('AWS::Lambda::Function', topology.functions.length);
  // locally, functions run in-process: each is reachable through a queue, a route, a schedule or the mail path
  // (the SMTP listener locally; in AWS the SES receipt rule, test/infra/inbound-mail.test.ts)
  const reachable = new Set([...topology.queues.map((q) => q.consumer), ...topology.routes.map((r) => r.function), ...topology.schedules.map((s) => s.function), ...(topology.mail ? [topology.mail.function] : [])]);
  expect(topology.mail?.function).toBe('mail-inbound');
  expect([...reachable].sort()).toEqual(topology.functions.map((f) => f.name).sort());
});

it('every queue has its dead-letter queue and consumer on both sides', () => {
  for (const q of topology.queues) {
    const deployed = aws.stack.state.queues.get(q.name)!;
    aws.template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: q.visibilityTimeoutSeconds,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [idOf(deployed.deadLetterQueue), 'Arn'] }, maxReceiveCount: q.maxReceiveCount },
    });
    aws.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [idOf(deployed.queue), 'Arn'] },
      FunctionName: { Ref: idOf(aws.stack.services.fn(q.consumer).fn) },
    });
    expect(local.queues.get(q.name)?.name).toBe(q.name);
    expect(local.queues.get(`${q.name}-dlq`)?.name).toBe(`${q.name}-dlq`);
  }
  aws.template.resourceCountIs('AWS::SQS::Queue', topology.queues.length * 2);
  expect(local.queues.size).toBe(topology.queues.length * 2);
});

it('every rule has the same event pattern and target queue on both sides', () => {
  // the local bus keeps its rules private; reading them is the only way to compare, and worth it here
  const localRules = (local.bus as unknown as { rules: LocalRule[] }).rules;
  expect(localRules.map((r) => r.name).sort()).toEqual(topology.rules.map((r) => r.name).sort());
  for (const rule of topology.rules) {
    const target = aws.stack.state.queues.get(rule.targetQueue)!;
    aws.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: idOf(aws.stack.state.bus) },
      EventPattern: rule.pattern,
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [idOf(target.queue), 'Arn'] } })],
    });
    const l = localRules.find((r) => r.name === rule.name)!;
    expect(l.pattern).toEqual(rule.pattern);
    expect(l.target).toBe(local.queues.get(rule.targetQueue));
  }
  aws.template.resourceCountIs('AWS::Events::Rule', topology.rules.length);
});

it('every schedule runs its function at its rate on both sides', async () => {
  for (const s of topology.schedules) {
    aws.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: `rate(${s.everyMinutes} minute${s.everyMinutes === 1 ? '' : 's'})`,
      State: 'ENABLED',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [idOf(aws.stack.services.fn(s.function).fn), 'Arn'] } }),
    });
    await local.runSchedule(s.name); // rejects when the local runtime has no such schedule or function
  }
  aws.template.resourceCountIs('AWS::Scheduler::Schedule', topology.schedules.length);
});

it('every declared route (topology/routes.ts) is served by its function on both sides, JWT-checked only where declared', async () => {
  expect(topology.routes).toEqual(DECLARED_ROUTES.map((r) => ({ method: r.method, path: r.path, function: r.function, auth: r.auth })));
  const resources = aws.template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const deployed = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => {
    const integration = resources[r.Properties.Target['Fn::Join'][1][1].Ref as string]!;
    return { key: r.Properties.RouteKey as string, auth: r.Properties.AuthorizationType as string, fn: integration.Properties.IntegrationUri['Fn::GetAtt'][0] as string };
  });
  expect(deployed.map((d) => d.key).sort()).toEqual(DECLARED_ROUTES.map((r) => r.key).sort());
  for (const r of DECLARED_ROUTES) {
    expect(deployed.find((d) => d.key === r.key)).toEqual({ key: r.key, auth: r.auth === 'jwt' ? 'JWT' : 'NONE', fn: idOf(aws.stack.services.fn(r.function).fn) });
    // locally: the front door routes it to a handler (its 404/405 would name no route)
    const path = r.path.replace(/\{\w+\}/g, 'x');
    const res = await fetch(local.url + path, { method: r.method, redirect: 'manual' });
    const text = await res.text();
    expect({ route: r.key, frontDoor: text.includes(`No route ${r.method} ${path}.`) || res.status === 405 }).toEqual({ route: r.key, frontDoor: false });
  }
});

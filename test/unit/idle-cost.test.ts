/** bench/idle-cost.ts: what an idle deployment is billed for, read from the template. */
import { IDLE_ASSUMPTIONS, IDLE_PRICES, idleMonthlyCost, type Template } from '../../bench/idle-cost';
import { synthesizedTemplate } from '../../bench/idle-cost-synth';
import { DUE_SHARDS } from '../../topology/table-schema';

const line = (c: ReturnType<typeof idleMonthlyCost>, prefix: string) => c.lines.find((l) => l.item.startsWith(prefix))!;

it('prices each idle item from the template, at the dated list prices', () => {
  const t: Template = { Resources: {
    S1: { Type: 'AWS::SecretsManager::Secret' }, S2: { Type: 'AWS::SecretsManager::Secret' },
    A1: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
    A2: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ MetricStat: {} }, { MetricStat: {} }, { Expression: 'm1+m2' }] } },
    K: { Type: 'AWS::KMS::Key' },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 1024, LoggingConfig: { LogGroup: { Ref: 'Logs' } } } },
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
    Every5: { Type: 'AWS::Scheduler::Schedule', Properties: { ScheduleExpression: 'rate(5 minutes)', Target: { Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } } } },
    M: { Type: 'AWS::Lambda::EventSourceMapping' },
    Api: { Type: 'AWS::ApiGatewayV2::Api' },
  } };
  const c = idleMonthlyCost(t);
  expect(line(c, 'Secrets')).toMatchObject({ count: 2, dollarsPerMonth: 0.8 });
  expect(line(c, 'CloudWatch')).toMatchObject({ count: 3 }); // one metric, then two (the expression is free)
  expect(line(c, 'CloudWatch').dollarsPerMonth).toBeCloseTo(0.3);
  expect(line(c, 'KMS')).toMatchObject({ count: 1, dollarsPerMonth: 1 });
  const runs = IDLE_ASSUMPTIONS.minutesPerMonth / 5;
  const gb = (runs * IDLE_ASSUMPTIONS.logBytesPerRun) / 1e9;
  expect(line(c, 'schedule Every5').count).toBe(Math.round(runs));
  expect(line(c, 'schedule Every5').dollarsPerMonth).toBeCloseTo(
    (runs / 1e6) * (IDLE_PRICES.schedulerInvocationsPerMillion + IDLE_PRICES.lambdaRequestsPerMillion)
    + runs * 0.1 * 1 * IDLE_PRICES.lambdaArmGbSecond + gb * (IDLE_PRICES.logsIngestionPerGb + IDLE_PRICES.logsStoragePerGbMonth)
    + (runs * DUE_SHARDS * 0.5 / 1e6) * IDLE_PRICES.dynamoReadRequestUnitsPerMillion, 6);
  expect(line(c, 'SQS').dollarsPerMonth).toBeCloseTo((5 * 3 * IDLE_ASSUMPTIONS.minutesPerMonth / 1e6) * IDLE_PRICES.sqsRequestsPerMillion, 6);
  expect(c.totalPerMonth).toBeCloseTo(c.lines.reduce((s, l) => s + l.dollarsPerMonth, 0), 9);
});

it('refuses a schedule expression it cannot price', () => {
  expect(() => idleMonthlyCost({ Resources: { S: { Type: 'AWS::Scheduler::Schedule', Properties: { ScheduleExpression: 'cron(0 * * * ? *)', Target: { Arn: 'x' } } } } }))
    .toThrow(/unsupported schedule expression cron/);
});

it('finds what the hub\'s own template bills while idle', () => {
  const t = synthesizedTemplate();
  const count = (type: string) => Object.values(t.Resources).filter((r) => r.Type === type).length;
  const c = idleMonthlyCost(t);
  expect(line(c, 'Secrets').count).toBe(count('AWS::SecretsManager::Secret'));
  expect(line(c, 'CloudWatch').count).toBe(count('AWS::CloudWatch::Alarm'));
  expect(c.lines.filter((l) => l.item.startsWith('schedule ')).length).toBe(count('AWS::Scheduler::Schedule'));
  expect(line(c, 'SQS').count).toBe(count('AWS::Lambda::EventSourceMapping'));
  expect(c.totalPerMonth).toBeGreaterThan(0);
}, 30000);

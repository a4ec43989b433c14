/**
 * The fixed monthly cost of a deployment that handles no escalation at all, read from the synthesized
 * template (`npx cdk synth` → cdk.out), at list prices before free tiers. What is billed while idle:
 * - Secrets Manager secrets, CloudWatch alarms (per metric), customer-managed KMS keys: per month each;
 * - EventBridge Scheduler schedules: their invocations, and the Lambda requests and duration they cause,
 *   with the scheduled function's logs (ingestion and storage for the log group's retention) and the
 *   DynamoDB reads of a sweep with nothing due (one query per open-work shard);
 * - SQS event-source mappings: Lambda's pollers long-poll each queue even when it is empty.
 * The API, the bus, the table's storage (empty), the SNS topic and the archive cost nothing while idle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DUE_SHARDS } from '../topology/table-schema';
import { PRICES } from './cost';

/** us-east-1 list prices (USD) of what an idle deployment is billed for; same date as PRICES (cost.ts). */
export const IDLE_PRICES = {
  asOf: PRICES.asOf,
  region: PRICES.region,
  secretPerMonth: 0.4,
  /** Standard-resolution alarm, per metric it watches. */
  alarmMetricPerMonth: 0.1,
  kmsKeyPerMonth: 1.0,
  schedulerInvocationsPerMillion: 1.0,
  logsIngestionPerGb: 0.5,
  logsStoragePerGbMonth: 0.03,
  lambdaRequestsPerMillion: PRICES.lambdaRequestsPerMillion,
  lambdaArmGbSecond: PRICES.lambdaArmGbSecond,
  sqsRequestsPerMillion: PRICES.sqsRequestsPerMillion,
  dynamoReadRequestUnitsPerMillion: PRICES.dynamoReadRequestUnitsPerMillion,
} as const;

/** Assumptions where the template cannot say; each is printed with the result. */
export const IDLE_ASSUMPTIONS = {
  /** Average month (365.25 / 12 days). */
  minutesPerMonth: 43_830,
  /** Billed duration of a scheduled run with nothing to do (cold starts aside). */
  scheduledRunMs: 100,
  /** Log bytes a scheduled run writes (platform start/report lines and one summary line, JSON). */
  logBytesPerRun: 1_000,
  /** Lambda's SQS pollers on an idle queue: five, each a 20-second long poll (3 ReceiveMessage a minute). */
  sqsPollersPerMapping: 5,
  sqsReceivesPerPollerMinute: 3,
  /** A Query that finds nothing still costs 0.5 read unit (eventually consistent). */
  readUnitsPerEmptyQuery: 0.5,
} as const;

interface Resource { Type: string; Properties?: Record<string, unknown> }
export interface Template { Resources: Record<string, Resource> }

export interface IdleLine { item: string; count: number; dollarsPerMonth: number; basis: string }
export interface IdleCost { lines: IdleLine[]; totalPerMonth: number; prices: typeof IDLE_PRICES; assumptions: typeof IDLE_ASSUMPTIONS }

const ofType = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

/** `rate(5 minutes)` → 5; cron and at() expressions are not used by the hub (a new form fails loudly). */
function everyMinutes(expression: string): number {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!m) throw new Error(`idle cost: unsupported schedule expression ${expression}`);
  const n = Number(m[1]);
  return m[2]!.startsWith('minute') ? n : m[2]!.startsWith('hour') ? n * 60 : n * 1440;
}

/** The logical id a `{ "Fn::GetAtt": [id, "Arn"] }` or `{ "Ref": id }` names. */
function targetId(v: unknown): string | undefined {
  const o = v as { 'Fn::GetAtt'?: [string, string]; Ref?: string } | undefined;
  return o?.['Fn::GetAtt']?.[0] ?? o?.Ref;
}

export function idleMonthlyCost(t: Template, p = IDLE_PRICES, a = IDLE_ASSUMPTIONS): IdleCost {
  const lines: IdleLine[] = [];
  const add = (item: string, count: number, dollarsPerMonth: number, basis: string) => lines.push({ item, count, dollarsPerMonth, basis });

  const secrets = ofType(t, 'AWS::SecretsManager::Secret').length;
  add('Secrets Manager secrets', secrets, secrets * p.secretPerMonth, `$${p.secretPerMonth}/secret`);

  const alarmMetrics = ofType(t, 'AWS::CloudWatch::Alarm').reduce((n, [, r]) => {
    const metrics = r.Properties?.Metrics as { MetricStat?: unknown }[] | undefined;
    return n + (metrics ? metrics.filter((m) => m.MetricStat).length : 1);
  }, 0);
  add('CloudWatch alarm metrics', alarmMetrics, alarmMetrics * p.alarmMetricPerMonth, `$${p.alarmMetricPerMonth}/alarm metric`);

  const keys = ofType(t, 'AWS::KMS::Key').length;
  add('KMS customer-managed keys', keys, keys * p.kmsKeyPerMonth, `$${p.kmsKeyPerMonth}/key`);

  const functions = new Map(ofType(t, 'AWS::Lambda::Function'));
  const logGroups = ofType(t, 'AWS::Logs::LogGroup');
  for (const [id, s] of ofType(t, 'AWS::Scheduler::Schedule')) {
    const props = s.Properties as { ScheduleExpression: string; Target: { Arn: unknown } };
    const runs = a.minutesPerMonth / everyMinutes(props.ScheduleExpression);
    const fnId = targetId(props.Target.Arn);
    const fn = fnId ? functions.get(fnId) : undefined;
    const memoryGb = Number(fn?.Properties?.MemorySize ?? 128) / 1024;
    // the function's log group: the one its LoggingConfig names
    const logGroupId = targetId((fn?.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup);
    const retentionDays = Number(logGroups.find(([lg]) => lg === logGroupId)?.[1].Properties?.RetentionInDays ?? 30);
    const logGb = (runs * a.logBytesPerRun) / 1e9;
    const dollars = (runs / 1e6) * (p.schedulerInvocationsPerMillion + p.lambdaRequestsPerMillion)
      + runs * (a.scheduledRunMs / 1000) * memoryGb * p.lambdaArmGbSecond
      + logGb * p.logsIngestionPerGb + logGb * Math.min(1, retentionDays / 30) * p.logsStoragePerGbMonth
      + (runs * DUE_SHARDS * a.readUnitsPerEmptyQuery / 1e6) * p.dynamoReadRequestUnitsPerMillion;
    add(`schedule ${id}`, Math.round(runs), dollars,
      `${props.ScheduleExpression}: scheduler + Lambda request + ${a.scheduledRunMs} ms at ${memoryGb * 1024} MB + ${a.logBytesPerRun} B of logs (${retentionDays}-day retention) + ${DUE_SHARDS} empty queries, per run`);
  }

  const mappings = ofType(t, 'AWS::Lambda::EventSourceMapping').length;
  const receives = mappings * a.sqsPollersPerMapping * a.sqsReceivesPerPollerMinute * a.minutesPerMonth;
  add('SQS long polls of idle event-source mappings', mappings, (receives / 1e6) * p.sqsRequestsPerMillion,
    `${a.sqsPollersPerMapping} pollers × ${a.sqsReceivesPerPollerMinute} ReceiveMessage/min per mapping`);

  return { lines, totalPerMonth: lines.reduce((s, l) => s + l.dollarsPerMonth, 0), prices: p, assumptions: a };
}

/** The synthesized stack templates in `cdkOut` (run `npx cdk synth` first). */
export function readSynthesizedTemplates(cdkOut: string): { file: string; template: Template }[] {
  let files: string[];
  try {
    files = readdirSync(cdkOut).filter((f) => f.endsWith('.template.json'));
  } catch {
    files = [];
  }
  if (files.length === 0) throw new Error(`no synthesized template in ${cdkOut}: run npx cdk synth first`);
  return files.map((f) => ({ file: join(cdkOut, f), template: JSON.parse(readFileSync(join(cdkOut, f), 'utf8')) as Template }));
}

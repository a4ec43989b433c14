/**
 * The stateless half (STYLE.md habit 12), built from the topology: one function per topology function
 * with exactly the grants of topology/access.ts, the HTTP API and its routes behind a JWT authorizer,
 * SQS event-source mappings, the bus rules into the queues, and the EventBridge Scheduler schedules.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS } from '../core/deps';
import { ACCESS, queuesGranted, type AccessProfile } from '../topology/access';
import { compressedConfigEnvironment, configEnvironment } from './hub-config';
import { HubFunction } from './hub-function';
import { HubMailReceiving, MAIL_PREFIX, sendingIdentities, type PartnerMailAddresses } from './hub-mail';
import { acknowledgeWildcards } from './nag';
import type { HubState } from './hub-state';
import type { FunctionName, Topology } from '../topology/topology';

export interface JwtSettings {
  /** The OIDC issuer URL (`iss`); its `/.well-known/openid-configuration` must be reachable by API Gateway. */
  issuer: string;
  /** Accepted `aud` (or, for Cognito access tokens, `client_id`) values. */
  audience: string[];
}

export interface HubServicesProps {
  topology: Topology;
  state: HubState;
  jwt: JwtSettings;
  /** The partner configuration as written, `${NAME}` references kept. */
  hubConfigJson: string;
  logRetention: logs.RetentionDays;
  /** Steady-state and burst request limits of the HTTP API stage. */
  throttle: { rateLimit: number; burstLimit: number };
  /**
   * The hub's public base URL as partners reach it (a custom domain in front of the API); default the HTTP
   * API's own endpoint. Given to the functions that hand it to partners (HUB_PUBLIC_URL, topology/access.ts).
   */
  publicUrl?: string | undefined;
  /** The e-mail partners' addresses (infra/hub-mail.ts), when the topology has a mail path. */
  partnerMail?: PartnerMailAddresses[] | undefined;
}

const API_ROUTE_METHODS = { GET: apigw.HttpMethod.GET, POST: apigw.HttpMethod.POST } as const;

export class HubServices extends Construct {
  readonly functions = new Map<FunctionName, HubFunction>();
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  /** The base URL partners post webhooks to (HUB_PUBLIC_URL). */
  readonly publicUrl: string;
  readonly rules = new Map<string, events.Rule>();
  readonly schedules = new Map<string, scheduler.Schedule>();
  /** SES receiving for the e-mail partners' replies (only when some partner takes e-mail). */
  readonly mailReceiving: HubMailReceiving | undefined;
  private readonly state: HubState;

  constructor(scope: Construct, id: string, props: HubServicesProps) {
    super(scope, id);
    const { topology, state } = props;
    this.state = state;
    const secretNames = [...state.secrets.keys()];

    for (const spec of topology.functions) {
      const access: AccessProfile = ACCESS[spec.name];
      const f = new HubFunction(this, pascal(spec.name), {
        spec,
        logRetention: props.logRetention,
        environment: {
          POWERTOOLS_SERVICE_NAME: METRICS.service,
          POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
          POWERTOOLS_LOG_LEVEL: 'INFO',
          // the admin function's environment also grows with every queue (DLQ_TARGETS) and secret (HUB_SECRET_ARNS):
          // as deployed, 4 partners and a desk inline (1.9 KB) took it over Lambda's 4 KB; compressed, it fits
          ...(access.managesDeadLetters ? compressedConfigEnvironment : configEnvironment)(props.hubConfigJson),
        },
      });
      f.useTable(state.table, access.table);
      if (access.putEvents) f.publishTo(state.bus);
      f.sendTo(this.queuesFor(spec.name, access));
      if (access.sendsEmail) f.sendEmail();
      if (access.sendsPartnerMail) f.sendPartnerMail(sendingIdentities(props.partnerMail ?? []));
      if (access.readsInboundMail) f.readInboundMail(state.mailBucket!, MAIL_PREFIX);
      if (access.managesDeadLetters) f.manageDeadLetters([...state.queues.values()]);
      if (access.readsPartnerSecrets) f.readSecrets(state.secrets);
      else f.withholdSecrets(secretNames);
      if (access.signsStatusLinks) f.signStatusLinks(state.statusLinkKey);
      this.functions.set(spec.name, f);
    }

    for (const { spec, queue } of state.queues.values()) this.fn(spec.consumer).consume(queue, spec);

    const mail = topology.mail;
    this.mailReceiving = mail && state.mailBucket ? new HubMailReceiving(this, 'MailReceiving', {
      bucket: state.mailBucket,
      fn: this.fn(mail.function).fn,
      recipients: (props.partnerMail ?? []).map((a) => a.receivesAt),
    }) : undefined;

    // HTTP API: JWT authorizer on the routes the topology marks `jwt`; the others verify themselves
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new apigw.HttpApi(this, 'HttpApi', {
      description: 'partner-escalation-hub HTTP API (API.md)',
      createDefaultStage: false,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs) },
    });
    // the API's endpoint names the API only (not its stage, routes or integrations), and no function that
    // gets it is integrated with the API: no dependency cycle
    this.publicUrl = props.publicUrl ?? this.api.apiEndpoint;
    for (const spec of topology.functions) if (ACCESS[spec.name].publicUrl) this.fn(spec.name).usePublicUrl(this.publicUrl);
    const authorizer = new HttpJwtAuthorizer('Jwt', props.jwt.issuer, { jwtAudience: props.jwt.audience });
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const r of topology.routes) {
      let integration = integrations.get(r.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(r.function)}Integration`, this.fn(r.function).fn);
        integrations.set(r.function, integration);
      }
      const [route] = this.api.addRoutes({
        path: r.path,
        methods: [API_ROUTE_METHODS[r.method]],
        integration,
        ...(r.auth === 'jwt' ? { authorizer } : {}),
      });
      if (r.auth !== 'jwt') {
        Validations.of(route!).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: r.function === 'webhook'
            ? 'Partner webhooks carry no bearer token: the webhook function verifies each partner\'s HMAC signature over the raw body (API.md).'
            : r.auth === 'optional'
              ? 'The customer status page is opened from a signed, expiring link: the handler verifies its HMAC session cookie and answers 404 to anyone else.'
              : 'Public by contract (API.md): health check and the OpenAPI document carry no data.',
        });
      }
    }

    for (const rule of topology.rules) {
      const target = state.queues.get(rule.targetQueue);
      if (!target) throw new Error(`rule ${rule.name}: no queue ${rule.targetQueue} in the topology`);
      const r = new events.Rule(this, `Rule${pascal(rule.name)}`, {
        eventBus: state.bus,
        description: `partner-escalation-hub ${rule.name} → ${rule.targetQueue}`,
        eventPattern: toCdkPattern(rule.pattern),
        // if the queue cannot take the event, keep it on the queue's dead-letter queue (alarmed)
        targets: [new targets.SqsQueue(target.queue, { deadLetterQueue: target.deadLetterQueue })],
      });
      this.rules.set(rule.name, r);
    }

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'partner-escalation-hub: EventBridge Scheduler invokes the scheduled functions',
    });
    for (const s of topology.schedules) {
      const fn = this.fn(s.function).fn;
      acknowledgeWildcards(schedulerRole, 'AwsSolutions-IAM5', [`${fn.functionArn}:*`],
        'The Scheduler target grant covers the scheduled function and its versions (`<function arn>:*`); it can invoke nothing else.');
      const schedule = new scheduler.Schedule(this, `Schedule${pascal(s.name)}`, {
        description: `partner-escalation-hub ${s.name} every ${s.everyMinutes} minute(s)`,
        schedule: scheduler.ScheduleExpression.rate(Duration.minutes(s.everyMinutes)),
        // the next run comes within minutes: a late or failed run is not worth retrying
        target: new schedulerTargets.LambdaInvoke(fn, { role: schedulerRole, retryAttempts: 0, maxEventAge: Duration.minutes(Math.max(1, s.everyMinutes)) }),
      });
      this.schedules.set(s.name, schedule);
    }
  }

  fn(name: FunctionName): HubFunction {
    const f = this.functions.get(name);
    if (!f) throw new Error(`no function ${name} in the topology`);
    return f;
  }

  private queuesFor(name: FunctionName, access: AccessProfile): Map<string, sqs.IQueue> {
    const granted = queuesGranted(name, access.sendTo, [...this.state.queues.values()].map((q) => q.spec));
    return new Map(granted.map((spec) => [spec.name, this.state.queues.get(spec.name)!.queue as sqs.IQueue]));
  }
}

/** `partner-worker` → `PartnerWorker`, `escalation-requested-acme` → `EscalationRequestedAcme`. */
const pascal = (s: string) => s.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');

/** The topology's raw EventBridge pattern as the CDK's EventPattern (keys renamed: `detail-type` → `detailType`). */
export function toCdkPattern(pattern: Record<string, unknown>): events.EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...rest, ...(detailType ? { detailType } : {}) } as events.EventPattern;
}

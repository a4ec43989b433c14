/**
 * CloudWatch alarms to one SNS topic: any message on a dead-letter queue, work waiting too long on a queue,
 * function errors and throttles, 5xx answers from the HTTP API, and the hub's own set-up problems
 * (`HubProblems`: a partner refused the hub's credentials).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRICS } from '../core/deps';
import type { HubServices } from './hub-services';
import type { HubState } from './hub-state';

export interface HubAlarmsProps {
  state: HubState;
  services: HubServices;
  /** Optional e-mail address subscribed to the alarm topic. */
  alarmEmail?: string;
  /** Oldest-message age that raises an alarm; defaults to twice each queue's visibility timeout (at least 10 minutes). */
  oldestMessageAgeSeconds?: number;
}

export class HubAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: HubAlarmsProps) {
    super(scope, id);
    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key: use our own, and let it
    const key = new kms.Key(this, 'TopicKey', { enableKeyRotation: true, description: 'partner-escalation-hub alarm topic' });
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'], // in a key policy, `*` is this key
    }));
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'partner-escalation-hub alarms', masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const action = new actions.SnsAction(this.topic);

    const alarm = (idPart: string, metric: cloudwatch.IMetric, description: string, threshold = 0) => {
      const a = new cloudwatch.Alarm(this, idPart, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
      return a;
    };

    for (const { spec, queue, deadLetterQueue } of props.state.queues.values()) {
      const id = spec.name.replace(/[^A-Za-z0-9]/g, '');
      alarm(`${id}DlqDepth`, deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        `Messages on the dead-letter queue of ${spec.name}: work failed ${spec.maxReceiveCount} times or an event could not be delivered. Inspect, fix, then redrive.`);
      const age = props.oldestMessageAgeSeconds ?? Math.max(600, 2 * spec.visibilityTimeoutSeconds);
      alarm(`${id}OldestMessage`, queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
        `The oldest message on ${spec.name} has waited more than ${age} s: its consumer is failing, throttled or too slow.`, age);
    }

    for (const [name, f] of props.services.functions) {
      alarm(`${name.replace(/[^A-Za-z0-9]/g, '')}Errors`, f.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        `Function ${name} failed invocations (unhandled errors or timeouts).`);
      alarm(`${name.replace(/[^A-Za-z0-9]/g, '')}Throttles`, f.fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        `Function ${name} was throttled (account or reserved concurrency).`);
    }

    // the functions write HubProblems per partner and once without the partner (functions/adapters/metrics.ts)
    alarm('HubProblems', new cloudwatch.Metric({
      namespace: METRICS.namespace, metricName: 'HubProblems', dimensionsMap: { service: METRICS.service }, period: Duration.minutes(5), statistic: 'Sum',
    }), 'A partner refused the hub\'s own credentials (HTTP 401/403): escalations wait with a "problem" instead of being referred. '
      + 'Fix the partner profile\'s credentials; the hub retries on its own.');

    alarm('Api5xx', props.services.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      'The HTTP API answered 5xx: a handler failed or timed out.');
  }
}

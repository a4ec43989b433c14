/**
 * The Metrics port on Powertools Metrics (CloudWatch embedded metric format, written to the function's
 * log and turned into metrics by CloudWatch: no API calls, no extra latency). One single-metric record per
 * observation, so each carries its own partner dimension and is flushed at once.
 */
import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS, type MetricName, type Metrics } from '../../core/deps';

/** Metrics that infra/hub-alarms.ts alarms on: also written with the service dimension only. */
export const ALARMED: ReadonlySet<MetricName> = new Set(['HubProblems']);


export function powertoolsMetrics(namespace = process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS.namespace): Metrics {
  const metrics = new PowertoolsMetrics({ namespace, serviceName: METRICS.service });
  return {
    count(name, partnerId, value = 1) {
      const m = metrics.singleMetric();
      m.addDimension('partnerId', partnerId);
      m.addMetric(name, MetricUnit.Count, value);
      if (ALARMED.has(name)) {
        // the alarm watches one series for all partners (an alarm cannot SEARCH across dimensions)
        metrics.singleMetric().addMetric(name, MetricUnit.Count, value);
      }
    },
    partnerLatency(partnerId, operation, ms, ok) {
      const m = metrics.singleMetric();
      m.addDimensions({ partnerId, operation, outcome: ok ? 'ok' : 'error' });
      m.addMetric('PartnerCallLatency', MetricUnit.Milliseconds, ms);
    },
  };
}

/**
 * The Metrics port on Powertools Metrics (CloudWatch embedded metric format, written to the function's
 * log and turned into metrics by CloudWatch: no API calls, no extra latency). One single-metric record per
 * observation, so each carries its own partner dimension and is flushed at once.
 */
import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '../../core/deps';

export function powertoolsMetrics(namespace = process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'PartnerEscalationHub'): Metrics {
  const metrics = new PowertoolsMetrics({ namespace, serviceName: 'partner-escalation-hub' });
  return {
    count(name, partnerId, value = 1) {
      const m = metrics.singleMetric();
      m.addDimension('partnerId', partnerId);
      m.addMetric(name, MetricUnit.Count, value);
    },
    partnerLatency(partnerId, operation, ms, ok) {
      const m = metrics.singleMetric();
      m.addDimensions({ partnerId, operation, outcome: ok ? 'ok' : 'error' });
      m.addMetric('PartnerCallLatency', MetricUnit.Milliseconds, ms);
    },
  };
}

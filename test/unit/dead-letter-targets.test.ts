/**
 * DLQ_TARGETS as the stack sets it (infra/hub-function.ts `manageDeadLetters`): queue names and the
 * account's ARN and URL prefixes, made whole by the admin function's adapter.
 */
import { ConfigError } from '../../core/errors';
import { deadLetterTargets } from '../../functions/adapters/sqs-dead-letters';

const arn = 'arn:aws:sqs:eu-west-1:123456789012:';
const url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/';

it('makes each work queue\'s names its dead-letter queue\'s URL and ARN and its own ARN', () => {
  expect(deadLetterTargets(JSON.stringify({ arn, url, queues: { inbound: ['Hub-InboundDlq-AB12', 'Hub-Inbound-CD34'] } }))).toEqual({
    inbound: { dlqUrl: `${url}Hub-InboundDlq-AB12`, dlqArn: `${arn}Hub-InboundDlq-AB12`, sourceArn: `${arn}Hub-Inbound-CD34` },
  });
});

it('refuses another shape, naming DLQ_TARGETS (an older stack\'s full ARNs and URLs included)', () => {
  for (const bad of ['not json', '{}', JSON.stringify({ inbound: { dlqUrl: `${url}x`, dlqArn: `${arn}x`, sourceArn: `${arn}y` } }), JSON.stringify({ arn, url, queues: { inbound: ['only-one'] } })]) {
    expect(() => deadLetterTargets(bad)).toThrow(ConfigError);
    expect(() => deadLetterTargets(bad)).toThrow(/^DLQ_TARGETS is not/);
  }
});

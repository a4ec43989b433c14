/**
 * "Nothing silently off": each function, started as deployed but without one setting it needs, fails at its
 * first event with a message naming that setting (not a 409 or 500 for one feature later); and the stack
 * gives every function each setting listed here (docs/deploy.md, section 6, lists them for operators).
 */
import { Match } from 'aws-cdk-lib/assertions';
import type { FunctionName } from '../../topology/topology';
import { synthHub } from './hub-stack-fixture';

/** What each function cannot start without (beyond the configuration, HUB_CONFIG_JSON or HUB_CONFIG_GZIP, which every function gets). */
const NEEDS: Record<FunctionName, string[]> = {
  api: ['TABLE_NAME', 'BUS_NAME', 'HUB_SESSION_SECRET_ARN'],
  webhook: ['TABLE_NAME', 'QUEUE_URLS'],
  'partner-worker': ['TABLE_NAME', 'BUS_NAME', 'QUEUE_URLS'],
  'status-sync': ['TABLE_NAME', 'BUS_NAME'],
  'comment-forwarder': ['TABLE_NAME'],
  sweep: ['TABLE_NAME', 'BUS_NAME', 'QUEUE_URLS'],
  poller: ['TABLE_NAME', 'BUS_NAME'],
  notifier: ['TABLE_NAME', 'QUEUE_URLS'],
  admin: ['TABLE_NAME', 'DLQ_TARGETS'],
  'meeting-subscriptions': ['TABLE_NAME', 'HUB_PUBLIC_URL'],
  'mail-inbound': ['TABLE_NAME', 'QUEUE_URLS', 'INBOUND_MAIL_BUCKET', 'INBOUND_MAIL_PREFIX'],
  'desk-writeback': ['TABLE_NAME', 'QUEUE_URLS'],
};

/** A complete environment with local values (no AWS call happens before the check under test). */
const COMPLETE: Record<string, string> = {
  TABLE_NAME: 'hub-table', BUS_NAME: 'hub-bus', QUEUE_URLS: '{}', INBOUND_MAIL_BUCKET: 'hub-mail', INBOUND_MAIL_PREFIX: 'inbound/',
  HUB_SESSION_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hub/status-link-key',
  HUB_PUBLIC_URL: 'https://hub.example.com',
  DLQ_TARGETS: JSON.stringify({ arn: 'arn:aws:sqs:us-east-1:123456789012:', url: 'https://sqs.us-east-1.amazonaws.com/123456789012/', queues: {} }),
  HUB_CONFIG_JSON: JSON.stringify({ partners: [{ id: 'acme', name: 'Acme', platforms: ['acme'], connector: 'manual', baseUrl: 'https://acme.example', portalUrl: 'https://acme.example/support' }] }),
  // any AWS call a start makes before failing goes nowhere but 127.0.0.1
  AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
};

const EVENTS: Partial<Record<FunctionName, unknown>> = {
  api: { routeKey: 'GET /health', rawPath: '/health', headers: {}, requestContext: { http: { method: 'GET', path: '/health' } }, isBase64Encoded: false },
  webhook: { routeKey: 'POST /v1/webhooks/{partnerId}', rawPath: '/v1/webhooks/acme', headers: {}, body: '{}', pathParameters: { partnerId: 'acme' }, requestContext: { http: { method: 'POST', path: '/v1/webhooks/acme' } }, isBase64Encoded: false },
  admin: { routeKey: 'GET /v1/admin/dead-letters', rawPath: '/v1/admin/dead-letters', headers: {}, requestContext: { http: { method: 'GET', path: '/v1/admin/dead-letters' } }, isBase64Encoded: false },
};

async function startWithout(fn: FunctionName, missing: string): Promise<unknown> {
  const saved = { ...process.env };
  for (const k of Object.keys(COMPLETE)) delete process.env[k];
  Object.assign(process.env, COMPLETE, { AWS_LAMBDA_FUNCTION_NAME: fn });
  delete process.env[missing];
  try {
    let outcome: unknown;
    await jest.isolateModulesAsync(async () => {
      const { handler } = (await import(`../../functions/${fn}`)) as { handler: (e: unknown) => Promise<unknown> };
      outcome = await handler(EVENTS[fn] ?? { Records: [] }).then(() => 'started', (e: unknown) => e);
    });
    return outcome;
  } finally {
    process.env = saved;
  }
}

describe.each(Object.entries(NEEDS) as [FunctionName, string[]][])('%s', (fn, needs) => {
  it.each(needs)('fails at start without %s, naming it', async (missing) => {
    const outcome = await startWithout(fn, missing);
    expect(outcome).toBeInstanceOf(Error);
    // the ARN-or-value secret names both forms
    expect((outcome as Error).message).toContain(missing.replace(/_ARN$/, ''));
  }, 30000);
});

it('the stack gives every function each setting it needs', () => {
  const { template } = synthHub();
  for (const [fn, needs] of Object.entries(NEEDS)) {
    const found = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: Match.objectLike({ HUB_FUNCTION: fn }) } } });
    const vars = (Object.values(found)[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
    expect(Object.keys(vars)).toEqual(expect.arrayContaining(needs));
    expect(Object.keys(vars).filter((k) => k === 'HUB_CONFIG_JSON' || k === 'HUB_CONFIG_GZIP')).toHaveLength(1);
  }
}, 60000);

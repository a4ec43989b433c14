/** functions/adapters/secrets.ts: `${NAME}` references resolved from Secrets Manager at cold start. */
import { parseHubConfig } from '../../core/config';
import { ConfigError } from '../../core/errors';
import { cachedReader, requiredSecret, resolveSecretEnv, withheldConnectors, withheldMarker, withheldSecrets } from '../../functions/adapters/secrets';

const ARNS = { ACME_TOKEN: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:hub/ACME_TOKEN-abc', ACME_WEBHOOK: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:hub/ACME_WEBHOOK-def' };
const VALUES: Record<string, string> = { [ARNS.ACME_TOKEN]: 'tok-123', [ARNS.ACME_WEBHOOK]: 'whsec_c2VjcmV0' };

const recordingReader = () => {
  const calls: string[] = [];
  const read = async (id: string) => {
    calls.push(id);
    const v = VALUES[id];
    if (v === undefined) throw Object.assign(new Error(`no ${id}`), { name: 'ResourceNotFoundException' });
    return v;
  };
  return { calls, read };
};

it('resolves every name of HUB_SECRET_ARNS, so the configuration substitutes them like variables', async () => {
  const { read } = recordingReader();
  const env = await resolveSecretEnv({ HUB_SECRET_ARNS: JSON.stringify(ARNS) }, read);
  expect(env).toEqual({ ACME_TOKEN: 'tok-123', ACME_WEBHOOK: 'whsec_c2VjcmV0' });
  const config = parseHubConfig({
    partners: [{ id: 'acme', name: 'Acme', platforms: ['acme'], connector: 'generic-rest', baseUrl: 'https://acme.example', credentials: { token: '${ACME_TOKEN}' }, webhookSecret: '${ACME_WEBHOOK}' }],
  }, env);
  expect(config.partners[0]!.credentials.token).toBe('tok-123');
});

it('a secret that cannot be read is a start-up error naming it, never showing a value', async () => {
  const { read } = recordingReader();
  const p = resolveSecretEnv({ HUB_SECRET_ARNS: JSON.stringify({ ...ARNS, MISSING: 'arn:missing' }) }, read);
  await expect(p).rejects.toThrow(ConfigError);
  await expect(p).rejects.toThrow(/MISSING \(arn:missing\): ResourceNotFoundException/);
  await expect(p).rejects.not.toThrow(/tok-123/);
});

it('rejects malformed HUB_SECRET_ARNS and HUB_SECRETS_WITHHELD loudly', async () => {
  const { read } = recordingReader();
  await expect(resolveSecretEnv({ HUB_SECRET_ARNS: '{not json' }, read)).rejects.toThrow(/HUB_SECRET_ARNS is not valid JSON/);
  await expect(resolveSecretEnv({ HUB_SECRET_ARNS: JSON.stringify({ 'bad-name': 'arn' }) }, read)).rejects.toThrow(/HUB_SECRET_ARNS has the wrong shape/);
  expect(() => withheldSecrets({ HUB_SECRETS_WITHHELD: '{"a":1}' })).toThrow(/HUB_SECRETS_WITHHELD has the wrong shape/);
});

it('withheld names resolve to a marker, and the registry of such a function refuses to call partners', async () => {
  const { read, calls } = recordingReader();
  const env = await resolveSecretEnv({ HUB_SECRETS_WITHHELD: JSON.stringify(['ACME_TOKEN']) }, read);
  expect(env).toEqual({ ACME_TOKEN: withheldMarker('ACME_TOKEN') });
  expect(calls).toEqual([]);
  expect(() => withheldConnectors('hub-sweep').ticketing('acme')).toThrow(/hub-sweep was deployed without access to partner secrets/);
  expect(() => withheldConnectors('hub-sweep').collaboration('acme')).toThrow(ConfigError);
});

it('caches each value per container for its TTL, and does not cache a failure', async () => {
  let t = 0;
  let fail = true;
  const calls: string[] = [];
  const read = cachedReader(async (id) => {
    calls.push(id);
    if (fail) throw new Error('throttled');
    return `v-${id}`;
  }, 1000, () => t);
  await expect(read('a')).rejects.toThrow('throttled');
  fail = false;
  await expect(read('a')).resolves.toBe('v-a');
  await expect(read('a')).resolves.toBe('v-a');
  expect(calls).toEqual(['a', 'a']);
  t = 1001;
  await expect(read('a')).resolves.toBe('v-a');
  expect(calls).toEqual(['a', 'a', 'a']);
});

describe('a secret a function cannot start without (the status-link key)', () => {
  const KEY_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:hub/status-link-key-xyz';
  const key = 'k'.repeat(64);
  const read = async (id: string) => {
    if (id !== KEY_ARN) throw Object.assign(new Error(`no ${id}`), { name: 'AccessDeniedException' });
    return key;
  };

  it('is read from Secrets Manager by the ARN the stack gives', async () => {
    await expect(requiredSecret('HUB_SESSION_SECRET', { HUB_SESSION_SECRET_ARN: KEY_ARN }, read, 'signs links')).resolves.toBe(key);
  });

  it('or taken from the variable itself outside the stack', async () => {
    await expect(requiredSecret('HUB_SESSION_SECRET', { HUB_SESSION_SECRET: 'plain' }, read, 'signs links')).resolves.toBe('plain');
  });

  it('fails at start naming the setting when it is missing, unreadable or too short', async () => {
    await expect(requiredSecret('HUB_SESSION_SECRET', {}, read, 'the api function signs status links with it'))
      .rejects.toThrow(new ConfigError('neither HUB_SESSION_SECRET_ARN nor HUB_SESSION_SECRET is set: the api function signs status links with it (the stack generates it; docs/deploy.md)'));
    await expect(requiredSecret('HUB_SESSION_SECRET', { HUB_SESSION_SECRET_ARN: `${KEY_ARN}-other` }, read, 'x')).rejects.toThrow(/cannot read HUB_SESSION_SECRET from .*AccessDeniedException/);
    await expect(requiredSecret('HUB_SESSION_SECRET', { HUB_SESSION_SECRET_ARN: KEY_ARN }, async () => 'short', 'x')).rejects.toThrow(/shorter than 32 characters/);
  });
});

/** functions/adapters/secrets.ts: `${NAME}` references resolved from Secrets Manager at cold start. */
import { configReferences, parseHubConfig } from '../../core/config';
import { ConfigError } from '../../core/errors';
import { cachedReader, requiredSecret, resolveSecretEnv, secretsWithheld, withheldConnectors, withheldMarker } from '../../functions/adapters/secrets';

const PREFIX = 'partner-escalation-hub/';
const VALUES: Record<string, string> = { [`${PREFIX}ACME_TOKEN`]: 'tok-123', [`${PREFIX}ACME_WEBHOOK`]: 'whsec_c2VjcmV0' };
const raw = {
  partners: [{ id: 'acme', name: 'Acme', platforms: ['acme'], connector: 'generic-rest', baseUrl: 'https://acme.example', credentials: { token: '${ACME_TOKEN}' }, webhookSecret: '${ACME_WEBHOOK}' }],
};

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

it('reads the secret <HUB_SECRET_PREFIX><NAME> of every reference in the configuration, so it substitutes them like variables', async () => {
  const { read, calls } = recordingReader();
  const env = await resolveSecretEnv({ HUB_SECRET_PREFIX: PREFIX }, read, configReferences(raw));
  expect(env).toEqual({ ACME_TOKEN: 'tok-123', ACME_WEBHOOK: 'whsec_c2VjcmV0' });
  expect(calls.sort()).toEqual([`${PREFIX}ACME_TOKEN`, `${PREFIX}ACME_WEBHOOK`]);
  expect(parseHubConfig(raw, env).partners[0]!.credentials.token).toBe('tok-123');
  // neither set (a deployment outside the stack): the references resolve from the environment itself
  expect(await resolveSecretEnv({}, read, ['ACME_TOKEN'])).toEqual({});
});

it('a secret that cannot be read is a start-up error naming it, never showing a value', async () => {
  const { read } = recordingReader();
  const p = resolveSecretEnv({ HUB_SECRET_PREFIX: PREFIX }, read, ['ACME_TOKEN', 'MISSING']);
  await expect(p).rejects.toThrow(ConfigError);
  await expect(p).rejects.toThrow(/MISSING \(partner-escalation-hub\/MISSING\): ResourceNotFoundException/);
  await expect(p).rejects.not.toThrow(/tok-123/);
});

it('rejects a malformed HUB_SECRETS_WITHHELD loudly', async () => {
  expect(() => secretsWithheld({ HUB_SECRETS_WITHHELD: '["ACME_TOKEN"]' })).toThrow(/HUB_SECRETS_WITHHELD must be "true"/);
  expect(secretsWithheld({})).toBe(false);
});

it('withheld names resolve to a marker, and the registry of such a function refuses to call partners', async () => {
  const { read, calls } = recordingReader();
  const env = await resolveSecretEnv({ HUB_SECRETS_WITHHELD: 'true', HUB_SECRET_PREFIX: PREFIX }, read, ['ACME_TOKEN']);
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

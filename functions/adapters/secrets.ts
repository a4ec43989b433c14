/**
 * Partner secrets in AWS. The deployed configuration keeps its `${NAME}` references; the stack hands each
 * function that talks to partners `HUB_SECRET_PREFIX`, and this module reads the secret `<prefix><NAME>` of
 * each reference at cold start, in parallel, with a per-container cache, so that `parseHubConfig` can
 * substitute them like environment variables. Values are never logged.
 *
 * Functions that never call a partner are not granted the secrets: they get `HUB_SECRETS_WITHHELD=true`,
 * whose references resolve to a marker so the configuration still validates, and they get a connector
 * registry that refuses to build connectors (see `withheldConnectors`).
 */
import type { ConnectorRegistry } from '../../core/ports';
import { ConfigError } from '../../core/errors';

/** Reads one secret's string value. */
export type SecretReader = (secretId: string) => Promise<string>;

/**
 * Secrets Manager, with a cache per container. The SDK client is loaded on first use only, so the
 * functions that are not given secrets never pay for loading it.
 */
let reader: SecretReader | undefined;
let client: import('@aws-sdk/client-secrets-manager').SecretsManagerClient | undefined;
export function awsSecretReader(): SecretReader {
  return (reader ??= cachedReader(async (secretId) => {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const r = await (client ??= new SecretsManagerClient({})).send(new GetSecretValueCommand({ SecretId: secretId }));
    if (r.SecretString === undefined) throw new ConfigError(`secret ${secretId} has no string value`);
    return r.SecretString;
  }));
}

export const withheldMarker = (name: string) => `withheld:${name}`;

/** Whether this function was deployed without access to the configuration's secrets. */
export function secretsWithheld(env: NodeJS.ProcessEnv): boolean {
  if (env.HUB_SECRETS_WITHHELD === undefined || env.HUB_SECRETS_WITHHELD === '') return false;
  if (env.HUB_SECRETS_WITHHELD === 'true') return true;
  throw new ConfigError(`environment variable HUB_SECRETS_WITHHELD must be "true" when set`);
}

interface Cached { value: Promise<string>; until: number }

/** A reader that remembers each value for `ttlMs` (a failed read is not remembered). */
export function cachedReader(read: SecretReader, ttlMs = 5 * 60_000, now: () => number = Date.now): SecretReader {
  const cache = new Map<string, Cached>();
  return (secretId) => {
    const hit = cache.get(secretId);
    if (hit && hit.until > now()) return hit.value;
    const value = read(secretId);
    cache.set(secretId, { value, until: now() + ttlMs });
    value.catch(() => cache.delete(secretId));
    return value;
  };
}

/**
 * The environment additions that make the configuration's `${NAME}` references (`names`) resolvable: each
 * `NAME → the value of the secret <HUB_SECRET_PREFIX><NAME>`, or `NAME → withheld marker` under
 * `HUB_SECRETS_WITHHELD`; neither set: nothing (the names resolve from the environment itself). A secret
 * that cannot be read is a start-up error naming it (never its value).
 */
export async function resolveSecretEnv(env: NodeJS.ProcessEnv, read: SecretReader, names: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (secretsWithheld(env)) {
    for (const name of names) out[name] = withheldMarker(name);
    return out;
  }
  const prefix = env.HUB_SECRET_PREFIX;
  if (!prefix) return out;
  await Promise.all(names.map(async (name) => {
    try {
      out[name] = await read(`${prefix}${name}`);
    } catch (e) {
      throw new ConfigError(`cannot read secret ${name} (${prefix}${name}): ${(e as { name?: string }).name ?? 'error'}`);
    }
  }));
  return out;
}

/**
 * A secret a function cannot work without: read from Secrets Manager when the stack gives `<name>_ARN`,
 * else taken from `<name>` itself (a deployment outside this stack). Neither is a start-up error naming
 * both, so that the function fails at its first event instead of answering 409/500 for one feature later.
 */
export async function requiredSecret(name: string, env: NodeJS.ProcessEnv, read: SecretReader, purpose: string): Promise<string> {
  const arn = env[`${name}_ARN`];
  if (arn) {
    let value: string;
    try {
      value = await read(arn);
    } catch (e) {
      throw new ConfigError(`cannot read ${name} from ${arn} (${(e as { name?: string }).name ?? 'error'}): ${purpose}`);
    }
    if (value.length < 32) throw new ConfigError(`${name} (${arn}) is shorter than 32 characters: ${purpose}`);
    return value;
  }
  const value = env[name];
  if (value) return value;
  throw new ConfigError(`neither ${name}_ARN nor ${name} is set: ${purpose} (the stack generates it; docs/deploy.md)`);
}

/** The registry of a function that was not given partner secrets: any connector use is a deployment error. */
export const withheldConnectors = (functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'this function'): ConnectorRegistry => {
  const refuse = (): never => {
    throw new ConfigError(`${functionName} was deployed without access to partner secrets, so it cannot call partners (topology/access.ts)`);
  };
  return { ticketing: refuse, collaboration: refuse, serviceHealth: refuse };
};

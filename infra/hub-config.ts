/**
 * The partner configuration as the stack sees it at synth time: `hub.config.json` (or the file named by
 * the `hubConfig` context value), validated with the same schema the hub uses, and the `${NAME}`
 * references in it, which become Secrets Manager secrets in AWS.
 *
 * The deployed configuration keeps its `${NAME}` references: the secret values never enter the template
 * or the Lambda environment. Each function that needs them gets `HUB_SECRET_ARNS` (`{ NAME: arn }`) and
 * resolves them at cold start (functions/adapters/secrets.ts).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseHubConfig, type HubConfig } from '../core/config';

export const REPO_ROOT = join(__dirname, '..');

/** `${NAME}` references, as core/config.ts substitutes them. */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface DeployedHubConfig {
  /** The file it came from (absolute). */
  file: string;
  /** The configuration exactly as written (references kept): this is what the functions receive. */
  rawJson: string;
  /** Validated, with every reference replaced by a placeholder: for the topology (partner ids) only. */
  config: HubConfig;
  /** Names referenced as `${NAME}`, sorted, each once. */
  secretNames: string[];
}

/** Every `${NAME}` referenced anywhere in a parsed configuration. */
export function secretReferences(raw: unknown): string[] {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') for (const m of v.matchAll(REFERENCE)) names.add(m[1]!);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(raw);
  return [...names].sort();
}

/**
 * Above this size the configuration travels gzip-compressed (`HUB_CONFIG_GZIP`, base64) instead of as
 * written (`HUB_CONFIG_JSON`): Lambda holds 4 KB of environment per function, which the configuration
 * shares with the function's other settings (the admin function's dead-letter queues grow with the
 * partners too). JSON of partner profiles compresses to less than half.
 */
export const INLINE_CONFIG_BYTES = 2048;

/** The configuration gzip-compressed (`HUB_CONFIG_GZIP`, base64), whatever its size. */
export const compressedConfigEnvironment = (rawJson: string): Record<string, string> => ({ HUB_CONFIG_GZIP: gzipSync(rawJson, { level: 9 }).toString('base64') });

/** The functions' environment variable carrying the configuration: as written when small, else compressed. */
export function configEnvironment(rawJson: string): Record<string, string> {
  return Buffer.byteLength(rawJson) <= INLINE_CONFIG_BYTES ? { HUB_CONFIG_JSON: rawJson } : compressedConfigEnvironment(rawJson);
}

/** Reads and validates the configuration to deploy; throws a message naming the file and field. */
export function readDeployedHubConfig(file = 'hub.config.json'): DeployedHubConfig {
  const abs = isAbsolute(file) ? file : join(REPO_ROOT, file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the hub configuration ${abs}: ${(e as Error).message}`, { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${abs} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const secretNames = secretReferences(raw);
  // placeholders only make the schema check pass; connectors validate the real values at cold start
  // shaped like a Standard Webhooks secret (whsec_<base64>), which also satisfies every plain-string field
  const placeholders = Object.fromEntries(secretNames.map((n) => [n, `whsec_${Buffer.from(`synth-placeholder-${n}`).toString('base64')}`]));
  const config = parseHubConfig(raw, placeholders);
  return { file: abs, rawJson: JSON.stringify(raw), config, secretNames };
}

/**
 * The partner configuration as the stack sees it at synth time: `hub.config.json` (or the file named by
 * the `hubConfig` context value), validated with the same schema the hub uses, and the `${NAME}`
 * references in it, which become Secrets Manager secrets in AWS.
 *
 * The deployed configuration keeps its `${NAME}` references: the secret values never enter the template,
 * the code or the Lambda environment. It is bundled with each function's code as hub.config.json
 * (infra/hub-function.ts `bundleConfig`), not passed in its 4 KB environment. Each function that needs the
 * secrets gets `HUB_SECRET_PREFIX` and reads `<prefix><NAME>` for each reference at cold start
 * (functions/adapters/secrets.ts).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { configReferences, parseHubConfig, type HubConfig } from '../core/config';

export const REPO_ROOT = join(__dirname, '..');

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
  const secretNames = configReferences(raw);
  // placeholders only make the schema check pass; connectors validate the real values at cold start
  // shaped like a Standard Webhooks secret (whsec_<base64>), which also satisfies every plain-string field
  const placeholders = Object.fromEntries(secretNames.map((n) => [n, `whsec_${Buffer.from(`synth-placeholder-${n}`).toString('base64')}`]));
  const config = parseHubConfig(raw, placeholders);
  return { file: abs, rawJson: JSON.stringify(raw), config, secretNames };
}

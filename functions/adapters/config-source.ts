/**
 * Reads and validates configuration, failing loudly at start (never a silent default for a resource name).
 * The partner configuration comes from `HUB_CONFIG_JSON` (inline, for tests and tools) or the file
 * `HUB_CONFIG` (default `hub.config.json` in the working
 * directory: as deployed, the stack bundles it beside each function's code, and Lambda runs from there).
 */
import { readFileSync } from 'node:fs';
import { parseHubConfig, type HubConfig } from '../../core/config';
import { ConfigError } from '../../core/errors';

export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = env[name];
  if (v === undefined || v === '') throw new ConfigError(`environment variable ${name} is required`);
  return v;
}

export function loadHubConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  return parseHubConfig(readRawHubConfig(env), env);
}

/** The configuration as written (`${NAME}` references unresolved): what `hub doctor` checks. */
export function readRawHubConfig(env: NodeJS.ProcessEnv = process.env): unknown {
  let text: string;
  let source: string;
  if (env.HUB_CONFIG_JSON) {
    text = env.HUB_CONFIG_JSON;
    source = 'HUB_CONFIG_JSON';
  } else {
    source = env.HUB_CONFIG || 'hub.config.json';
    try {
      text = readFileSync(source, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read the hub configuration ${source} (the stack bundles it with each function's code; HUB_CONFIG_JSON is not set): ${(e as Error).message}`);
    }
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  return raw;
}

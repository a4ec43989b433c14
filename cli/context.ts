/**
 * What every command is handed: the output streams, the environment, `--json`, and a client built from
 * HUB_URL / HUB_TOKEN on first use (so `hub token` and `--help` need neither).
 */
import { HubClient } from './client';
import { UsageError } from './errors';

export const DEFAULT_HUB_URL = 'http://127.0.0.1:3000';

export interface OutputStream { write(chunk: string): unknown; isTTY?: boolean; columns?: number }

export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
  readStdin(): Promise<string>;
}

export interface CliContext extends CliIO {
  /** `--json`: print the hub's JSON answer only. */
  json: boolean;
  client(): HubClient;
  /** A line on stdout. */
  out(line?: string): void;
  /** A line on stderr. */
  err(line?: string): void;
  /** Prints a value as indented JSON on stdout. */
  printJson(value: unknown): void;
}

export function makeContext(io: CliIO, json: boolean): CliContext {
  let client: HubClient | undefined;
  return {
    ...io,
    json,
    client() {
      return (client ??= new HubClient({ baseUrl: hubUrl(io.env), token: hubToken(io.env) }));
    },
    out: (line = '') => { io.stdout.write(`${line}\n`); },
    err: (line = '') => { io.stderr.write(`${line}\n`); },
    printJson: (value) => { io.stdout.write(`${JSON.stringify(value, null, 2)}\n`); },
  };
}

export function hubUrl(env: CliIO['env']): string {
  const url = env.HUB_URL || DEFAULT_HUB_URL;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UsageError(`HUB_URL is not an http(s) URL: ${url}`);
  }
  return url;
}

function hubToken(env: CliIO['env']): string {
  const token = env.HUB_TOKEN?.trim();
  if (!token) throw new UsageError('HUB_TOKEN is not set: export HUB_TOKEN=<engineer token> (locally: export HUB_TOKEN=$(npx hub token))');
  return token;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/** Files named on the command line (`-` is stdin); a file that cannot be read or parsed is a usage error. */
import { readFile } from 'node:fs/promises';
import type { CliContext } from './context';
import { UsageError } from './errors';

export async function readText(ctx: Pick<CliContext, 'readStdin'>, path: string, what: string): Promise<string> {
  if (path === '-') return ctx.readStdin();
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${what} ${path}${code ? ` (${code})` : ''}`);
  }
}

export async function readJsonObject(ctx: Pick<CliContext, 'readStdin'>, path: string, what: string): Promise<Record<string, unknown>> {
  const text = await readText(ctx, path, what);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${what} ${path} must hold a JSON object`);
  return value as Record<string, unknown>;
}

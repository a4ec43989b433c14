/** The CLI's typed failures: each carries the exit code it ends the process with (see exit-codes.ts). */
import { EXIT, type ExitCode } from './exit-codes';

export interface ErrorDetail { path?: string; message: string }

export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(readonly exitCode: ExitCode, message: string, readonly details: string[] = []) {
    super(message);
  }
}

/** Bad arguments, unreadable files, missing environment: exit 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string) { super(EXIT.usage, message); }
}

/** A non-2xx answer from the hub, carrying the contract's `{ error: { code, message, details } }`: exit 1. */
export class ApiError extends CliError {
  override readonly name = 'ApiError';
  constructor(readonly status: number, readonly code: string, message: string, readonly apiDetails: ErrorDetail[] = []) {
    super(EXIT.apiError, `${code}: ${message}`, apiDetails.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)));
  }
}

/** The hub did not answer at all: exit 3. */
export class UnreachableError extends CliError {
  override readonly name = 'UnreachableError';
  constructor(url: string, reason: string) {
    super(EXIT.unreachable, `cannot reach the hub at ${url}: ${reason}`, ['is it running? (npm start) is HUB_URL right?']);
  }
}

/** One axios instance per partner, and the mapping of its failures onto retryable or final errors. */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type * as z from 'zod';
import { parseRetryAfter } from '../core/backoff';
import { PartnerCallError } from '../core/errors';

export const PARTNER_TIMEOUT_MS = 10_000;

export function partnerClient(baseURL: string, headers: Record<string, string>, timeoutMs = PARTNER_TIMEOUT_MS): AxiosInstance {
  return axios.create({
    baseURL: baseURL.replace(/\/$/, ''),
    headers: { accept: 'application/json', ...headers },
    timeout: timeoutMs,
    validateStatus: () => true,
    maxRedirects: 0,
    transitional: { clarifyTimeoutError: true },
  });
}

const TRANSIENT_STATUS = (s: number) => s === 408 || s === 429 || s >= 500;

/** Throws a PartnerCallError for anything but the expected statuses; validates the body with `schema`. */
export function expectResponse<T>(what: string, res: AxiosResponse, ok: number[], schema: z.ZodType<T>): T {
  if (!ok.includes(res.status)) {
    const snippet = typeof res.data === 'string' ? res.data : JSON.stringify(res.data ?? '');
    throw new PartnerCallError(
      `${what}: HTTP ${res.status}${snippet ? ` ${snippet.slice(0, 200)}` : ''}`,
      TRANSIENT_STATUS(res.status),
      res.status,
      parseRetryAfter(res.headers['retry-after'] as string | undefined, new Date()),
    );
  }
  const parsed = schema.safeParse(res.data);
  if (!parsed.success) {
    // the partner answered, but not in its documented format: the call may still have taken effect,
    // so it counts as uncertain (the next attempt finds before it creates)
    throw new PartnerCallError(`${what}: unexpected answer (${parsed.error.issues[0]?.message ?? 'invalid'})`, true, res.status);
  }
  return parsed.data;
}

/** Runs a partner call, turning network errors and timeouts into transient PartnerCallErrors. */
export async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof PartnerCallError) throw err;
    if (axios.isAxiosError(err)) throw new PartnerCallError(`${what}: ${err.code ?? 'network error'} ${err.message}`, true);
    throw err;
  }
}

/**
 * The HTTP behaviour every connector shares, in one place: one axios instance per partner with its
 * timeout, a limit on concurrent calls, a user-agent naming the hub, and the mapping of failures onto
 * retryable or final errors (network, timeouts, 408, 429 + Retry-After in both forms, 5xx), with
 * credentials redacted from every error message.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type * as z from 'zod';
import { parseRetryAfter } from '../core/backoff';
import { PartnerCallError } from '../core/errors';

export const PARTNER_TIMEOUT_MS = 10_000;
export const MAX_CONCURRENT_CALLS = 8;
export const USER_AGENT = 'partner-escalation-hub/0.1 (+https://github.com/partner-escalation-hub)';
/**
 * The most a partner's answer may be (after decompression): far above any documented answer (a ServiceNow
 * poll page of 1,000 records is about 1 MiB), far below what would exhaust a function's memory. Past it the
 * client hangs up and the call fails as a transient PartnerCallError (`call` below): the request may have
 * taken effect, so it counts as uncertain like any unreadable answer (the next attempt finds before it
 * creates), and a partner that keeps answering too much is referred after its last attempt.
 */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/**
 * Connections to partners are kept open and reused (per container, per partner host): no TCP and TLS
 * handshake per call. An idle one is closed after 30 s, before partners usually drop it; a call that
 * meets a connection the partner closed anyway fails as a network error, which is retried like any other.
 */
const KEEP_ALIVE = { keepAlive: true, timeout: 30_000 };
const httpAgent = new HttpAgent(KEEP_ALIVE);
const httpsAgent = new HttpsAgent(KEEP_ALIVE);

export interface CallLimits { timeoutMs?: number | undefined; maxConcurrentCalls?: number | undefined }

/** A counting semaphore: at most `limit` holders at once, the rest wait in order. */
export function semaphore(limit: number) {
  let held = 0;
  const waiting: (() => void)[] = [];
  return {
    acquire: () => new Promise<void>((resolve) => {
      if (held < limit) { held++; resolve(); } else waiting.push(() => { held++; resolve(); });
    }),
    release: () => {
      held--;
      waiting.shift()?.();
    },
    get held() { return held; },
  };
}

export function partnerClient(baseURL: string, headers: Record<string, string>, limits: CallLimits = {}): AxiosInstance {
  const client = axios.create({
    baseURL: baseURL.replace(/\/$/, ''),
    headers: { accept: 'application/json', 'user-agent': USER_AGENT, ...headers },
    timeout: limits.timeoutMs ?? PARTNER_TIMEOUT_MS,
    validateStatus: () => true,
    maxRedirects: 0, // a partner's credentials never follow a redirect to another host
    proxy: false, // partners are called directly; the bundles leave the proxy agent out (infra/bundling)
    transitional: { clarifyTimeoutError: true },
    maxContentLength: MAX_ANSWER_BYTES, // answers: counted as they arrive (decompressed), not read whole
    maxBodyLength: MAX_ANSWER_BYTES,
    httpAgent,
    httpsAgent,
  });
  // a partner gets at most this many calls at once from this container, however many escalations wait
  const slots = semaphore(limits.maxConcurrentCalls ?? MAX_CONCURRENT_CALLS);
  client.interceptors.request.use(async (config) => { await slots.acquire(); return config; });
  client.interceptors.response.use(
    (res) => { slots.release(); return res; },
    (err: unknown) => { slots.release(); return Promise.reject(err); },
  );
  return client;
}

/** Removes credentials from text that may end up in errors, the timeline or logs. */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]')
    .replace(/("?(?:password|passwd|secret|token|api_?token|apiToken|access_token|client_secret|authorization)"?\s*[:=]\s*"?)[^"&\s,}]+/gi, '$1[redacted]');
}

const TRANSIENT_STATUS = (s: number) => s === 408 || s === 429 || s >= 500;

/** Throws a PartnerCallError for anything but the expected statuses; validates the body with `schema`. */
export function expectResponse<T>(what: string, res: AxiosResponse, ok: number[], schema: z.ZodType<T>): T {
  if (!ok.includes(res.status)) {
    const snippet = typeof res.data === 'string' ? res.data : JSON.stringify(res.data ?? '');
    throw new PartnerCallError(
      redactSecrets(`${what}: HTTP ${res.status}${snippet ? ` ${snippet.slice(0, 200)}` : ''}`),
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
    if (axios.isAxiosError(err)) throw new PartnerCallError(redactSecrets(`${what}: ${err.code ?? 'network error'} ${err.message}`), true);
    throw err;
  }
}

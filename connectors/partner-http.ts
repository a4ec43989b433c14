/**
 * The HTTP behaviour every connector shares, in one place: one axios instance per partner with a total
 * deadline per call, a limit on concurrent calls, a user-agent naming the hub, and the mapping of failures onto
 * retryable or final errors (network, timeouts, 408, 429 + Retry-After in both forms, 5xx), with
 * credentials redacted from every error message.
 */
import axios, { AxiosError, type AxiosInstance, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type * as z from 'zod';
import { parseRetryAfter } from '../core/backoff';
import { PartnerCallError } from '../core/errors';
import { PARTNER_CALL_DEADLINE_MS } from '../core/leases';

/**
 * A call's total deadline (the profile's `timeoutMs`): from asking for a connection slot to the last byte
 * of the answer. axios's own `timeout` only counts idle time on the socket (Node's `setTimeout`), so a
 * partner that answers a byte at a time would hold a call, and the lease around it, for ever.
 */
export const PARTNER_TIMEOUT_MS = PARTNER_CALL_DEADLINE_MS;
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

/**
 * A counting semaphore: at most `limit` holders at once, the rest wait in order. A waiter whose `signal`
 * aborts leaves the line (rejected with the signal's reason) and never holds a slot.
 */
export function semaphore(limit: number) {
  let held = 0;
  const waiting: (() => void)[] = [];
  return {
    acquire: (signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
      if (signal?.aborted) { reject(signal.reason as Error); return; }
      if (held < limit) { held++; resolve(); return; }
      const take = () => {
        signal?.removeEventListener('abort', leave);
        // its deadline passed in the same turn as the slot came free: pass the slot on
        if (signal?.aborted) { reject(signal.reason as Error); waiting.shift()?.(); return; }
        held++;
        resolve();
      };
      const leave = () => {
        const at = waiting.indexOf(take);
        if (at >= 0) waiting.splice(at, 1);
        reject(signal!.reason as Error);
      };
      waiting.push(take);
      signal?.addEventListener('abort', leave, { once: true });
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
  const deadlineMs = limits.timeoutMs ?? PARTNER_TIMEOUT_MS;
  /** The calls holding a slot, each with its deadline. */
  const holding = new WeakMap<object, AbortSignal>();
  client.interceptors.request.use(async (config) => {
    // the whole call, waiting for a slot included, ends by its deadline (the answer's body too: axios
    // reads it under the same signal)
    const deadline = AbortSignal.timeout(deadlineMs);
    const signal = config.signal ? AbortSignal.any([config.signal as AbortSignal, deadline]) : deadline;
    try {
      await slots.acquire(signal);
    } catch {
      throw deadlineError(config, deadlineMs, 'waiting for a free connection slot');
    }
    config.signal = signal;
    holding.set(config, deadline);
    return config;
  });
  /** Gives the call's slot back (once); answers its deadline. */
  const done = (config: object | undefined): AbortSignal | undefined => {
    const deadline = config && holding.get(config);
    if (deadline && holding.delete(config)) slots.release();
    return deadline;
  };
  client.interceptors.response.use(
    (res) => { done(res.config); return res; },
    (err: unknown) => {
      const config = axios.isAxiosError(err) || axios.isCancel(err) ? (err as AxiosError).config : undefined;
      const deadline = done(config);
      if (config && axios.isCancel(err) && deadline?.aborted) return Promise.reject(deadlineError(config, deadlineMs, 'the answer was not complete'));
      return Promise.reject(err);
    },
  );
  return client;
}

/** A call that ran out of its total deadline: a timeout (transient, and uncertain for a create). */
function deadlineError(config: InternalAxiosRequestConfig, deadlineMs: number, when: string): AxiosError {
  return new AxiosError(`total deadline of ${deadlineMs} ms passed (${when})`, AxiosError.ETIMEDOUT, config);
}

/** Removes credentials from text that may end up in errors, the timeline or logs. */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]')
    .replace(/("?(?:password|passwd|secret|token|api_?token|apiToken|access_token|client_secret|authorization)"?\s*[:=]\s*"?)[^"&\s,}]+/gi, '$1[redacted]');
}

const TRANSIENT_STATUS = (s: number) => s === 408 || s === 429 || s >= 500;

/**
 * An RFC 7807 problem-details answer (`application/problem+json`) as one line: `title: detail (type)`;
 * `undefined` for any other answer.
 */
export function problemText(res: AxiosResponse): string | undefined {
  const type = String(res.headers['content-type'] ?? '');
  if (!/^application\/problem\+json\b/i.test(type) || res.data === null || typeof res.data !== 'object') return undefined;
  const p = res.data as { type?: unknown; title?: unknown; detail?: unknown };
  const text = [p.title, p.detail].filter((v) => typeof v === 'string' && v.length > 0).join(': ');
  if (!text) return undefined;
  return typeof p.type === 'string' && p.type !== 'about:blank' ? `${text} (${p.type})` : text;
}

/**
 * Throws a PartnerCallError for anything but the expected statuses; validates the body with `schema`.
 * The error reads a problem-details answer as such, else the partner's own error format (`describe`: one
 * line, or `undefined` when the body is not in it), else the start of the body.
 */
export function expectResponse<T>(what: string, res: AxiosResponse, ok: number[], schema: z.ZodType<T>, describe?: (data: unknown) => string | undefined): T {
  if (!ok.includes(res.status)) {
    const snippet = problemText(res) ?? describe?.(res.data) ?? (typeof res.data === 'string' ? res.data : JSON.stringify(res.data ?? ''));
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

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { call, expectResponse, partnerClient, redactSecrets, semaphore, USER_AGENT } from '../../connectors/partner-http';
import { PartnerCallError } from '../../core/errors';

describe('shared partner HTTP behaviour', () => {
  it('redacts credentials from error text', () => {
    const out = redactSecrets('HTTP 401 {"error":"bad token","token":"abc123","password":"hunter2"} Authorization: Bearer eyJhbGciOi.x.y');
    for (const secret of ['abc123', 'hunter2', 'eyJhbGciOi']) expect(out).not.toContain(secret);
    expect(out).toContain('HTTP 401 {"error":"bad token"');
    expect(redactSecrets('Basic dXNlcjpwYXNz and client_secret=s3cr3t&x=1')).toBe('Basic [redacted] and client_secret=[redacted]&x=1');
  });

  it('limits concurrent calls to a partner, names the hub, and classifies failures', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: string[] = [];
    const server = createServer((req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      seen.push(String(req.headers['user-agent']));
      setTimeout(() => {
        inFlight--;
        if (req.url === '/limited') { res.writeHead(429, { 'retry-after': 'Wed, 25 Nov 2099 10:00:00 GMT' }); return res.end('{"token":"leak"}'); }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      }, 30);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const http = partnerClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { authorization: 'Bearer secret-token' }, { maxConcurrentCalls: 3, timeoutMs: 1000 });
    await Promise.all(Array.from({ length: 12 }, () => call('get', async () => expectResponse('get', await http.get('/ok'), [200], z.object({ ok: z.boolean() })))));
    expect(peak).toBe(3);
    expect(new Set(seen)).toEqual(new Set([USER_AGENT]));
    const err = await call('get', async () => expectResponse('get', await http.get('/limited'), [200], z.unknown())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartnerCallError);
    expect(err).toMatchObject({ transient: true, httpStatus: 429 });
    expect((err as PartnerCallError).retryAfterMs).toBeGreaterThan(1e9);
    expect((err as Error).message).not.toContain('leak');
    await new Promise((r) => server.close(r));
  });

  it('semaphore hands slots out in order', async () => {
    const s = semaphore(1);
    const order: number[] = [];
    await s.acquire();
    const waiters = [1, 2].map((n) => s.acquire().then(() => { order.push(n); s.release(); }));
    s.release();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2]);
    expect(s.held).toBe(0);
  });
  it('ends every call at its total deadline, however steadily a partner trickles its answer, waiting for a slot included', async () => {
    // one byte every 20 ms: never idle long enough for a socket timeout, finished only after ~4 s
    const trickling = new Set<() => void>();
    const server = createServer((req, res) => {
      if (req.url === '/fast') { res.writeHead(200, { 'content-type': 'application/json' }); return res.end('{"ok":true}'); }
      const body = Buffer.from(JSON.stringify({ ok: true, padding: 'x'.repeat(200) }));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      let i = 0;
      const timer = setInterval(() => { if (i < body.length) res.write(body.subarray(i, ++i)); else { clearInterval(timer); res.end(); } }, 20);
      const stop = () => { clearInterval(timer); trickling.delete(stop); };
      trickling.add(stop);
      res.on('close', stop);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const http = partnerClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {}, { maxConcurrentCalls: 1, timeoutMs: 300 });
    const get = (path: string) => call('get', async () => expectResponse('get', await http.get(path), [200], z.object({ ok: z.boolean() })));
    const started = Date.now();
    // the second call waits for the only slot the first holds: its deadline counts the wait
    const [slow, waiting] = await Promise.all([get('/slow').catch((e: unknown) => e), get('/slow').catch((e: unknown) => e)]);
    const took = Date.now() - started;
    expect(slow).toBeInstanceOf(PartnerCallError);
    expect(slow).toMatchObject({ transient: true, message: expect.stringMatching(/total deadline of 300 ms passed \(the answer was not complete\)/) });
    // its deadline ran from the moment it asked (while waiting for the slot, or just after getting it)
    expect(waiting).toMatchObject({ transient: true, message: expect.stringMatching(/total deadline of 300 ms passed/) });
    expect(took).toBeLessThan(2000);
    // both slots' worth of bookkeeping came back: the next call gets through at once
    await expect(get('/fast')).resolves.toEqual({ ok: true });
    for (const stop of trickling) stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('semaphore: a waiter whose signal aborts leaves the line and never holds a slot', async () => {
    const s = semaphore(1);
    await s.acquire();
    const gone = new AbortController();
    const leaving = s.acquire(gone.signal);
    const next = s.acquire();
    gone.abort(new Error('deadline'));
    await expect(leaving).rejects.toThrow('deadline');
    s.release();
    await next;
    expect(s.held).toBe(1);
  });
});

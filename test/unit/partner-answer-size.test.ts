/**
 * Partner answers are capped in the shared partner HTTP client (issue 12, item 6): a partner answering
 * 60 MB is not read whole (the client hangs up once past the cap, whether the bytes come plain or as a
 * gzip bomb), and the call fails as a transient partner failure (the request may have taken effect, so the
 * next attempt finds before it creates; after the last attempt the escalation is referred).
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import * as z from 'zod';
import { call, expectResponse, MAX_ANSWER_BYTES, partnerClient } from '../../connectors/partner-http';
import { PartnerCallError } from '../../core/errors';

const HUGE = 60 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x78); // 'x'

/** Writes `{"ok":true,"pad":"xxx…"}` of `total` bytes, as fast as the client reads; resolves with the bytes written. */
function stream(res: ServerResponse, total: number): Promise<number> {
  return new Promise((resolve) => {
    let written = 0;
    let done = false;
    const finish = () => { if (!done) { done = true; resolve(written); } };
    res.on('close', finish);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(total) });
    const head = Buffer.from('{"ok":true,"pad":"');
    const tail = Buffer.from('"}');
    res.write(head);
    written += head.length;
    const pump = () => {
      while (!res.destroyed) {
        const left = total - written - tail.length;
        if (left <= 0) { res.end(tail); written += tail.length; return; }
        const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
        written += chunk.length;
        if (!res.write(chunk)) { res.once('drain', pump); return; }
      }
    };
    pump();
  });
}

describe('partner answers are capped', () => {
  it('the cap is a few MiB: enough for any documented answer, far below 60 MB', () => {
    expect(MAX_ANSWER_BYTES).toBeGreaterThanOrEqual(1024 * 1024);
    expect(MAX_ANSWER_BYTES).toBeLessThanOrEqual(16 * 1024 * 1024);
  });

  it('a 60 MB answer (plain or gzip) is not read whole and fails as a transient partner failure', async () => {
    const written: Promise<number>[] = [];
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"ok":true,"pad":"'), Buffer.alloc(HUGE, 0x78), Buffer.from('"}')]));
    const server = createServer((req, res) => {
      if (req.url === '/gzip') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
        res.end(bomb);
        return;
      }
      if (req.url === '/small') { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true,"pad":"x"}'); return; }
      written.push(stream(res, HUGE));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const http = partnerClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {}, { timeoutMs: 20_000 });
      const get = (path: string) => call('get', async () => expectResponse('get', await http.get(path), [200], z.object({ ok: z.boolean() })));
      expect(await get('/small')).toEqual({ ok: true });
      for (const path of ['/plain', '/gzip']) {
        const err = await get(path).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PartnerCallError);
        expect(err).toMatchObject({ transient: true });
        expect((err as Error).message).toMatch(/maxContentLength|too large|exceed/i);
      }
      // the server saw the client hang up long before the end (socket buffers allow a little more than the cap)
      expect(await written[0]!).toBeLessThan(MAX_ANSWER_BYTES + 8 * 1024 * 1024);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

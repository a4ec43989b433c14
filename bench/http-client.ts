/** A lean keep-alive HTTP/1.1 JSON client for the load generator (lighter than fetch in a shared process). */
import { Agent, request } from 'node:http';

export interface JsonResponse { status: number; json: any } // eslint-disable-line @typescript-eslint/no-explicit-any

export function httpClient(base: string, maxSockets = 64) {
  const url = new URL(base);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const send = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    new Promise<JsonResponse>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method, path, agent, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
          resolve({ status: res.statusCode ?? 0, json });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    get: (path: string, token?: string) => send('GET', path, token ? { authorization: `Bearer ${token}` } : {}),
    post: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      send('POST', path, { 'content-type': 'application/json', ...headers }, typeof body === 'string' ? body : JSON.stringify(body)),
    close: () => agent.destroy(),
  };
}

/**
 * The partner HTTP client as the functions run it: bundled with the stack's settings, where
 * `follow-redirects` and `https-proxy-agent` are replaced by modules that throw if used
 * (infra/bundling/esbuild-settings.ts). In a fresh Node process with HTTP_PROXY and HTTPS_PROXY set, a
 * partner that answers with a redirect gets its 302 back as is (never followed to the other host), and
 * the proxy named in the environment sees nothing.
 */
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ALIASES, BUNDLE_TARGET, EXTERNAL_MODULES, MAIN_FIELDS } from '../../infra/bundling/esbuild-settings';
import { REPO_ROOT } from '../../infra/hub-config';

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

it('a bundled partner client answers a redirect as is and ignores the proxy in the environment', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hub-bundled-http-'));
  const outfile = join(dir, 'partner-http.js');
  await build({
    entryPoints: [join(REPO_ROOT, 'connectors/partner-http.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: BUNDLE_TARGET,
    minify: true, mainFields: MAIN_FIELDS, external: EXTERNAL_MODULES, alias: ALIASES, logLevel: 'silent',
  });
  const code = readFileSync(outfile, 'utf8');
  expect(code.includes('redirects are not followed in the hub')).toBe(true); // the stand-in, not the package
  expect(code.includes('proxies are not supported in the hub')).toBe(true);

  const elsewhere: string[] = [];
  const proxied: string[] = [];
  const other = createServer((req, res) => { elsewhere.push(String(req.url)); res.end('{}'); });
  const proxy = createServer((req, res) => { proxied.push(String(req.url)); res.end('{}'); });
  const otherUrl = await listen(other);
  const proxyUrl = await listen(proxy);
  const partner = createServer((req, res) => {
    res.writeHead(302, { location: `${otherUrl}/stolen`, 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url, auth: req.headers.authorization }));
  });
  const partnerUrl = await listen(partner);
  try {
    const script = `
      const { partnerClient } = require(${JSON.stringify(outfile)});
      partnerClient(${JSON.stringify(partnerUrl)}, { authorization: 'Bearer t' }).get('/incident/1')
        .then((r) => process.stdout.write(JSON.stringify({ status: r.status, location: r.headers.location, data: r.data })))
        .catch((e) => { process.stdout.write(JSON.stringify({ error: String(e) })); });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      env: { PATH: process.env.PATH ?? '', NODE_PATH: join(REPO_ROOT, 'node_modules'), HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl, http_proxy: proxyUrl, NO_PROXY: '' },
    });
    const answer = JSON.parse(stdout) as { status?: number; location?: string; data?: unknown; error?: string };
    expect(answer.error).toBeUndefined();
    expect(answer).toEqual({ status: 302, location: `${otherUrl}/stolen`, data: { path: '/incident/1', auth: 'Bearer t' } });
    expect(elsewhere).toEqual([]);
    expect(proxied).toEqual([]);
  } finally {
    await Promise.all([other, proxy, partner].map((s) => new Promise((r) => s.close(r))));
  }
});

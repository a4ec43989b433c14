/**
 * The customer status page in a real browser: Debian's Chromium driven by playwright-core.
 * Skipped (with a message) where /usr/bin/chromium is missing; `.ci/run` installs it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { uid } from '../support/fixtures';
import { customerToken, engineerToken, http, startE2E, waitFor, type E2E } from '../support/local-hub';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

let e2e: E2E;
let browser: Browser;
beforeAll(async () => {
  e2e = await startE2E();
  if (haveChromium) {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }
});
afterAll(async () => { await browser?.close(); await e2e.stop(); });

async function openedCase(customerId: string) {
  const caseId = uid('CASE');
  const { json } = await http(e2e.hub.url, 'POST', '/v1/escalations', {
    token: engineerToken(),
    body: { caseId, customerId, platform: 'acme', severity: 'high', summary: 'Audio drops', findings: 'INTERNAL-FINDINGS relay logs', customerSummary: 'Audio stops after a policy change.' },
  });
  const esc = await waitFor('open', async () => {
    const r = await http(e2e.hub.url, 'GET', `/v1/escalations/${json.escalationId}`, { token: engineerToken() });
    return r.json.partnerTicket ? r.json : false;
  });
  return { caseId, esc };
}

const mintLink = async (customerId: string, caseId: string) =>
  http(e2e.hub.url, 'POST', '/v1/status-links', { token: engineerToken(), body: { customerId, caseId, ttlMinutes: 10 } });

(haveChromium ? describe : describe.skip)('customer status page (headless Chromium)', () => {
  it('shows the partner ticket number from a signed link, and keeps an HttpOnly session', async () => {
    const { caseId, esc } = await openedCase('globex');
    const link = await mintLink('globex', caseId);
    expect(link.status).toBe(201);

    const page = await browser.newPage();
    const res = await page.goto(`${e2e.hub.url}${link.json.path}`);
    expect(res?.status()).toBe(200);
    expect(page.url()).toBe(`${e2e.hub.url}/status/cases/${caseId}`); // the token left the address
    await expect(page.locator('h1').textContent()).resolves.toContain(caseId);
    await expect(page.locator('.ticket').first().textContent()).resolves.toBe(esc.partnerTicket.number);
    const html = await page.content();
    expect(html).not.toContain('INTERNAL-FINDINGS');
    expect(html).not.toContain('eng-1');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true });

    // the session cookie is HttpOnly and scoped to the status pages
    const cookies = await page.context().cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'hub_status', httpOnly: true, sameSite: 'Strict', path: '/status/' })]);
    expect(await page.evaluate('document.cookie')).toBe('');
    await page.close();
  });

  it('escapes HTML that reaches the page through a referral', async () => {
    const caseId = uid('CASE');
    e2e.sandbox.faults.push({ status: 400, match: (c) => c.method === 'POST' && c.path === '/incidents' });
    const { json } = await http(e2e.hub.url, 'POST', '/v1/escalations', {
      token: engineerToken(),
      body: { caseId, customerId: 'globex', platform: 'acme', severity: 'low', summary: 's', findings: 'f', customerSummary: '<script>window.__xss=1</script>Audio stops' },
    });
    await waitFor('referral', async () => (await http(e2e.hub.url, 'GET', `/v1/escalations/${json.escalationId}`, { token: engineerToken() })).json.status === 'referred');
    const page = await browser.newPage();
    await page.goto(`${e2e.hub.url}${(await mintLink('globex', caseId)).json.path}`);
    await expect(page.locator('.referral').textContent()).resolves.toContain('<script>window.__xss=1</script>Audio stops');
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    await page.close();
  });

  it('is 404 for another customer\'s case, an unknown case, and without proof; a forged link is refused', async () => {
    const { caseId } = await openedCase('globex');
    const page = await browser.newPage();
    expect((await page.goto(`${e2e.hub.url}/status/cases/${caseId}`))?.status()).toBe(404);
    expect((await page.goto(`${e2e.hub.url}/status/cases/${caseId}?link=forged.token`))?.status()).toBe(401);
    const otherLink = await mintLink('globex', caseId);
    const path = otherLink.json.path.replace(caseId, 'CASE-unknown');
    expect((await page.goto(`${e2e.hub.url}${path}`))?.status()).toBe(401);
    await page.close();
    // bearer tokens work too; another customer's is 404
    expect((await http(e2e.hub.url, 'GET', `/status/cases/${caseId}`, { token: customerToken('globex') })).status).toBe(200);
    expect((await http(e2e.hub.url, 'GET', `/status/cases/${caseId}`, { token: customerToken('umbrella') })).status).toBe(404);
    expect((await mintLink('umbrella', caseId)).status).toBe(404);
  });
});

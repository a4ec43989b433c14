/**
 * The customer status page: `GET /status/cases/{caseId}`, server-rendered, accessible, escaped. Pure
 * presentation: who may see which case, links, sessions and expiry are decided by viewCustomerCase
 * (core/use-cases/customer-view.ts); this adapter reads the event's token, link and cookie, and renders
 * the decision as HTML (a link → session cookie → redirect to the clean address; anyone else gets 404).
 */
import type { CustomerIncidentAnswer } from '../core/responses';
import { isHttpUrl } from '../core/partner-input';
import type { StatusLinkSigner } from '../core/status-links';
import { viewCustomerCase, type CustomerViewDeps } from '../core/use-cases/customer-view';
import type { HttpEvent, HttpResult } from './http';

export const SESSION_COOKIE = 'hub_status';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const STATUS_TEXT: Record<string, string> = {
  requested: 'Being opened with the partner', open: 'Open at the partner', in_progress: 'In progress at the partner',
  awaiting_info: 'Partner is waiting for information', resolved: 'Resolved by the partner', closed: 'Closed',
  referred: 'Please contact the partner directly', cancelled: 'Cancelled',
};

const page = (status: number, title: string, main: string, headers: Record<string, string> = {}): HttpResult => ({
  statusCode: status,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...headers,
  },
  body: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1b1f;background:#f6f7f9}
main{max-width:52rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.5rem}
.card{background:#fff;border:1px solid #d0d4dc;border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}
.card h2{font-size:1.15rem;margin:0 0 .5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}
dt{font-weight:600;color:#444}
.ticket{font-family:ui-monospace,monospace;font-size:1.1rem}
.referral{background:#fff7e0;border-left:4px solid #b07d00;padding:.5rem .75rem;margin-top:.75rem}
.known{background:#eef4ff;border-left:4px solid #2f5fb3;padding:.5rem .75rem;margin-top:.75rem}
.known h3{font-size:1rem;margin:0 0 .35rem}
.known ul{margin:0;padding-left:1.1rem}
</style></head>
<body><main>${main}</main></body></html>`,
});

const notFound = () => page(404, 'Case not found', '<h1>Case not found</h1><p>There is no case at this address that you may see.</p>');

const when = (iso: string) => `<time datetime="${escapeHtml(iso)}">${escapeHtml(iso.replace('T', ' ').slice(0, 16))} UTC</time>`;

/** A partner's own id (a ticket number, an incident id), linked only when the link is http(s). */
const partnerId = (id: string, url: string | null | undefined) =>
  (isHttpUrl(url) ? `<a class="ticket" href="${escapeHtml(url)}" rel="noreferrer">${escapeHtml(id)}</a>` : `<span class="ticket">${escapeHtml(id)}</span>`);

function incidentCard(v: CustomerIncidentAnswer): string {
  const ticket = v.ticketNumber ? partnerId(v.ticketNumber, v.ticketUrl) : 'Not assigned yet';
  const referral = v.referral
    ? `<div class="referral" role="note"><strong>What to do next:</strong> ${escapeHtml(v.referral.instructions)}<br><small>Why: ${escapeHtml(v.referral.reason)}</small></div>`
    : '';
  return `<section class="card" aria-labelledby="p-${escapeHtml(v.partnerId)}">
<h2 id="p-${escapeHtml(v.partnerId)}">${escapeHtml(v.partnerName)}</h2>
<dl>
<dt>Partner ticket</dt><dd>${ticket}</dd>
<dt>Status</dt><dd>${escapeHtml(STATUS_TEXT[v.status] ?? v.status)}</dd>
<dt>Opened</dt><dd>${v.openedAt ? when(v.openedAt) : '—'}</dd>
<dt>Last update</dt><dd>${when(v.updatedAt)}</dd>
</dl>${knownIncidents(v)}${referral}</section>`;
}

/** The partner's own incidents an engineer confirmed for this case: the partner's id (linked when http(s)), title, status. */
function knownIncidents(v: CustomerIncidentAnswer): string {
  if (v.knownIncidents.length === 0) return '';
  const item = (i: CustomerIncidentAnswer['knownIncidents'][number]) => {
    const state = i.resolvedAt ? `resolved ${when(i.resolvedAt)}` : `${escapeHtml(i.status)}, since ${when(i.startedAt)}`;
    return `<li>${partnerId(i.id, i.url)}: ${escapeHtml(i.title)} — ${state}</li>`;
  };
  return `<div class="known" role="note"><h3>Known ${escapeHtml(v.partnerName)} incident</h3>
<p>${escapeHtml(v.partnerName)} has reported an incident of its own that affects this case:</p>
<ul>${v.knownIncidents.map(item).join('')}</ul></div>`;
}

const cookieOf = (event: HttpEvent, name: string): string | undefined => {
  const all = [...(event.cookies ?? []), ...(event.headers?.cookie ?? '').split(';')];
  for (const c of all) {
    const [k, ...rest] = c.trim().split('=');
    if (k === name) return rest.join('=');
  }
  return undefined;
};

export async function renderStatusPage(event: HttpEvent, deps: CustomerViewDeps, signer: StatusLinkSigner | undefined): Promise<HttpResult> {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  const view = await viewCustomerCase(deps, signer, event.pathParameters?.caseId ?? '', {
    customerId: claims?.role === 'customer' && typeof claims.customerId === 'string' ? claims.customerId : undefined,
    link: event.queryStringParameters?.link,
    session: cookieOf(event, SESSION_COOKIE),
  });
  switch (view.kind) {
    case 'not_found': return notFound();
    case 'link_refused': return page(401, 'Link expired', '<h1>This link has expired</h1><p>Please ask your support engineer for a new one.</p>');
    case 'start_session': return {
      statusCode: 303,
      headers: {
        location: view.location,
        'set-cookie': `${SESSION_COOKIE}=${view.session}; Path=/status/; Max-Age=${view.maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`,
        'cache-control': 'no-store',
      },
      body: '',
    };
    case 'incidents': return page(200, `Case ${view.caseId} — partner incidents`,
      `<h1>Case ${escapeHtml(view.caseId)}: partner incidents</h1>
<p>Where your issue lies with a cloud partner, we open an incident with them on your behalf. Quote the partner ticket number when you contact them.</p>
${view.incidents.map(incidentCard).join('\n')}`);
  }
}

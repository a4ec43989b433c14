/**
 * `email`: partners reached by e-mail, whose only intake is a support mailbox (API.md, "`email`"). The
 * descriptor (the light part every function may carry) and the connector's settings, checked at start:
 * a `ticketNumberPattern` or a status pattern that is not a regular expression with the right capture
 * groups stops the hub with a message naming it, never the first mail that needs it.
 */
import * as z from 'zod';
import { PARTNER_STATUSES } from '../../core/escalation';
import { defineConnector } from '../kinds';
import { requiredSetting } from '../settings';

const address = z.email('must be an e-mail address').transform((a) => a.toLowerCase());

/** A regular expression, compiled once (case-insensitive: desks vary `TrackingID` / `trackingid`); `groups`: the capture groups it must have. */
const pattern = (groups: number | undefined) => z.string().min(1, 'must not be empty').max(500).transform((source, ctx) => {
  let re: RegExp;
  try { re = new RegExp(source, 'i'); } catch (err) {
    ctx.addIssue({ code: 'custom', message: `is not a regular expression (${(err as Error).message})` });
    return z.NEVER;
  }
  // a regex that matches the empty string plus `groups` groups has `groups + 1` entries in its match
  const captures = new RegExp(`${source}|`, 'i').exec('')!.length - 1;
  if (groups !== undefined && captures !== groups) {
    ctx.addIssue({ code: 'custom', message: `must have exactly ${groups} capture group (it has ${captures}), e.g. "TrackingID#(\\d+)"` });
    return z.NEVER;
  }
  return re;
});

/** `example.com` (that domain, not its subdomains) or `support@example.com` (that address). */
const sender = z.string().trim().min(1).transform((s) => s.toLowerCase()).refine(
  (s) => (s.includes('@') ? z.email().safeParse(s).success : /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(s)),
  'must be a domain (example.com) or an address (support@example.com)',
);

export const EmailSettings = z.object({
  /** The partner's support address. */
  to: requiredSetting('to').pipe(address),
  /** The hub's sending address (in AWS a verified SES identity); its domain names the hub's Message-IDs. */
  from: requiredSetting('from').pipe(address),
  /** The hub's inbound address for this partner (in AWS an SES receiving domain): where replies go. */
  replyTo: address.optional(),
  /** Must keep `[{{externalRef}}]`: a reply is matched by it when its thread headers are lost. */
  subjectTemplate: z.string().min(1).max(500).default('[{{externalRef}}] {{summary}}')
    .refine((t) => /\[\{\{\s*externalRef\s*\}\}\]/.test(t), 'must contain [{{externalRef}}]: replies are matched by it'),
  /** Applied to the subject and then the text of the partner's mail; its one group is the partner's ticket number. */
  ticketNumberPattern: requiredSetting('ticketNumberPattern').pipe(pattern(1)),
  /** First match wins. */
  statusPatterns: z.array(z.strictObject({ pattern: pattern(undefined), status: z.enum(PARTNER_STATUSES) })).default([]),
  /** Domains or addresses whose mail may update this partner's escalations. A domain does not admit its subdomains. */
  allowedSenders: z.array(sender, { error: 'allowedSenders is required' }).min(1, 'allowedSenders must name at least one domain or address'),
  /** Local runtime only: the outgoing relay (the local runtime's sandbox relay by default). SES ignores it. */
  smtp: z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }).optional(),
});
export type EmailSettings = z.infer<typeof EmailSettings>;

export const email = defineConnector({
  id: 'email', kind: 'ticketing', settings: EmailSettings, example: 'microsoft-email.json',
  // replies arrive as mail at `replyTo`, not as webhooks
  webhooks: false,
  summary: "a partner's support mailbox: the incident as a mail whose subject carries `[externalRef]`, comments as replies in its thread; replies from `allowedSenders` matched by subject or thread headers, ticket number and status read by patterns",
});

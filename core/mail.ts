/**
 * The hub's e-mail threads: how the hub names its own messages, and how it recognises a partner's reply.
 * One module for both directions (connectors/email composes with it, core/use-cases/ingest-partner-mail.ts
 * matches with it), so the two cannot drift apart.
 *
 * - The subject of every mail the hub sends carries the escalation's `externalRef` in brackets:
 *   `[hub:esc_01J…] …`. Partners' desks keep the subject in their replies.
 * - Message-IDs are derived, never random: `<ref>.open@<domain>` for the opening mail and
 *   `<ref>.c-<digest of the comment's idempotency key>@<domain>` for a comment, where `<ref>` is the
 *   `externalRef` with every character outside `[A-Za-z0-9_-]` written `=XX` (an RFC 5322 dot-atom
 *   cannot hold `:`). A retry sends the same id again (desks thread it as one message), and a reply's
 *   `In-Reply-To` / `References` name the escalation without any lookup.
 * - Every mail of the thread also names `<ref>.thread@<domain>` first in its `References`. A relay may
 *   replace the Message-ID (SES does: https://docs.aws.amazon.com/ses/latest/dg/header-fields.html), but
 *   not `References`, and a reply's `References` repeats its parent's: so replies name the escalation
 *   whichever relay sent the hub's mail.
 */
import { createHash } from 'node:crypto';

const SAFE = /[A-Za-z0-9_-]/;

/** The `externalRef` as the local part of a Message-ID (reversible: decodeRef). */
const encodeRef = (ref: string): string =>
  [...Buffer.from(ref, 'utf8')].map((b) => (SAFE.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

function decodeRef(encoded: string): string | undefined {
  if (!/^(?:[A-Za-z0-9_-]|=[0-9A-F]{2})+$/.test(encoded)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === '=') { bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16)); i += 2; } else bytes.push(encoded.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The domain part of a mail address (`hub@escalations.vendor.example` → `escalations.vendor.example`), lower-cased. */
export const mailDomain = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** The Message-ID (without angle brackets) of the hub's opening mail for `externalRef`. */
export const openingMessageId = (externalRef: string, domain: string): string => `${encodeRef(externalRef)}.open@${domain}`;

/** The id (without angle brackets) every mail of the thread names first in its `References` (see above). */
export const threadRootId = (externalRef: string, domain: string): string => `${encodeRef(externalRef)}.thread@${domain}`;

/** The Message-ID (without angle brackets) of the hub's mail for one comment: the same for every retry of it. */
export const commentMessageId = (externalRef: string, idempotencyKey: string, domain: string): string =>
  `${encodeRef(externalRef)}.c-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}@${domain}`;

const HUB_ID = /^((?:[A-Za-z0-9_-]|=[0-9A-F]{2})+)\.(?:open|thread|c-[0-9a-f]{24})@[^@\s]+$/;

/** The `externalRef` an id of the hub's names (opening, comment or thread root); `undefined` for any other id. */
export function refOfMessageId(messageId: string): string | undefined {
  const m = HUB_ID.exec(messageId);
  return m ? decodeRef(m[1]!) : undefined;
}

/** Every `[hub:…]` in a subject (a reply keeps the bracket; `Re:` / `AW:` prefixes do not matter). */
export const refsInSubject = (subject: string): string[] => [...subject.matchAll(/\[(hub:[^\]\s]{1,200})\]/g)].map((m) => m[1]!);

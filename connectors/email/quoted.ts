/**
 * The new part of a reply: the partner's text without the history its mail client quoted below it. The
 * maintained package for this, `email-reply-parser` (crisp-oss, no dependencies), is not in the lockfile
 * yet; until it is, these are the few markers desks and clients write, tested with examples of each
 * (test/unit/email-mail.test.ts):
 * - lines quoted with `>`;
 * - Gmail / Apple Mail / Thunderbird: `On <date>, <name> wrote:` (the client may wrap it over two lines);
 * - Outlook: `-----Original Message-----`, or a header block `From: …` followed by `Sent: …` (often under
 *   a line of underscores); its German form `Von:` / `Gesendet:`.
 * Everything from the first such header on is history; quoted lines elsewhere are dropped.
 */

const ORIGINAL_MESSAGE = /^\s*-{2,}\s*(?:Original Message|Ursprüngliche Nachricht)\s*-{2,}\s*$/i;
const WROTE = /^\s*On\s.+\swrote:\s*$/i;
const ON_START = /^\s*On\s/i;
const WROTE_END = /\swrote:\s*$|^\s*wrote:\s*$/i;
const FROM = /^\s*\*?(?:From|Von):\*?\s/i;
const SENT = /^\s*\*?(?:Sent|Date|Gesendet):\*?\s/i;
const UNDERSCORES = /^\s*_{10,}\s*$/;

/** Whether line `i` begins the quoted history. */
function startsHistory(lines: string[], i: number): boolean {
  const line = lines[i]!;
  if (ORIGINAL_MESSAGE.test(line) || WROTE.test(line)) return true;
  // `On Mon, 7 Dec 2026 at 09:12, Partner Support <support@…>` wrapped before `wrote:`
  if (ON_START.test(line) && WROTE_END.test(lines[i + 1] ?? '')) return true;
  // an Outlook header block: `From:` with `Sent:` (or `Date:`) within the next lines
  if (FROM.test(line)) return lines.slice(i + 1, i + 5).some((l) => SENT.test(l));
  return UNDERSCORES.test(line) && FROM.test(lines[i + 1] ?? '');
}

/** `text` without its quoted history (see above), trailing blank lines trimmed. */
export function stripQuotedHistory(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const end = lines.findIndex((_, i) => startsHistory(lines, i));
  return (end < 0 ? lines : lines.slice(0, end)).filter((l) => !/^\s*>/.test(l)).join('\n').trim();
}

/**
 * Zendesk's error body as one line, for the vendor's own desk (`zendesk-desk`; the partner-side `zendesk` still shows the raw body):
 * `{ error, description, details? }` (https://developer.zendesk.com/api-reference/introduction/requests/,
 * "400 range"). A `RecordInvalid`'s description is generic ("RecordValidation errors"): the reasons are in
 * `details`, each field's list of `{ description }`, so they are part of the line.
 */
import * as z from 'zod';

const ErrorBody = z.looseObject({ error: z.unknown(), description: z.string().optional(), details: z.record(z.string(), z.unknown()).optional() });
const Reason = z.looseObject({ description: z.string() });

/** `RecordInvalid: RecordValidation errors (value: can't be blank; …)`; `undefined` for any other body. */
export function zendeskErrorText(data: unknown): string | undefined {
  const e = ErrorBody.safeParse(data);
  if (!e.success) return undefined;
  const reasons = Object.entries(e.data.details ?? {}).flatMap(([field, list]) => (Array.isArray(list) ? list : []).flatMap((r) => {
    const reason = Reason.safeParse(r);
    return reason.success && reason.data.description.trim() ? [`${field}: ${reason.data.description.trim()}`] : [];
  }));
  const head = [typeof e.data.error === 'string' ? e.data.error : '', e.data.description].filter(Boolean).join(': ');
  return [head, reasons.length ? `(${reasons.join('; ')})` : ''].filter(Boolean).join(' ') || undefined;
}

/** Validation of a connector's own profile fields, with one error format: `partners[<id>] (<connector>): <field>: <message>`. */
import * as z from 'zod';
import { ConfigError } from '../core/errors';

export function parseSettings<T>(schema: z.ZodType<T>, value: unknown, partnerId: string, connector: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new ConfigError(`partners[${partnerId}] (${connector}): ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return r.data;
}

/** A required, non-empty string setting whose messages name it. */
export const requiredSetting = (what: string) => z.string({ error: `${what} is required` }).min(1, `${what} must not be empty`);
export const httpUrlSetting = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' });

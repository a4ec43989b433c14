/** Building blocks of connectors' settings schemas (descriptor.ts), with messages that name the setting. */
import * as z from 'zod';

/** A required, non-empty string setting whose messages name it. */
export const requiredSetting = (what: string) => z.string({ error: `${what} is required` }).min(1, `${what} must not be empty`);
export const httpUrlSetting = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' });

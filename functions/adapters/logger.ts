/** Structured logs (Powertools Logger). Never log secrets, tokens, contact data or findings (only their length). */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../../core/deps';

export const powertoolsLogger = new Logger({ serviceName: 'partner-escalation-hub' });

/** The core's Log port on a Powertools Logger. */
export function hubLogger(logger: Logger = powertoolsLogger): Log {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, extra?: Record<string, unknown>) =>
    (extra ? logger[level](message, extra as never) : logger[level](message));
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

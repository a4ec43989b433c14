/** Structured logs (Powertools Logger). Never log secrets, tokens, contact data or findings (only their length). */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { scopedLog, type Log } from '../../core/log';

export const powertoolsLogger = new Logger({ serviceName: 'partner-escalation-hub' });

/** The core's Log port on a Powertools Logger: each line carries the keys of its handling (core/log.ts). */
export function hubLogger(logger: Logger = powertoolsLogger): Log {
  return scopedLog((level, message, fields) => logger[level](message, fields as never));
}

/**
 * A Lambda entry point whose lines also carry the invocation (`function_request_id`, `cold_start`,
 * `function_name`…): Powertools' `addContext`, as its `injectLambdaContext` does, without middleware.
 */
export const withLambdaContext = <E, R>(handler: (event: E) => Promise<R>, logger: Logger = powertoolsLogger) =>
  (event: E, context?: Context): Promise<R> => {
    if (context) logger.addContext(context);
    return handler(event);
  };

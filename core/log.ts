/**
 * The Log port, and the handling its lines are correlated by. A handling (one HTTP request, one queue
 * record, one scheduled run) opens a scope with its id (`logHandling`); use cases add the escalation, case
 * and partner ids as they learn them (`log.appendKeys`); every line written during the handling carries
 * the scope's keys, whichever Log writes it. The scope follows the handling's own async calls
 * (AsyncLocalStorage), so the records of one batch, which are processed concurrently, never see each
 * other's keys, and nothing has to pass a logger down.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type LogFields = Record<string, unknown>;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Log {
  debug(message: string, extra?: LogFields): void;
  info(message: string, extra?: LogFields): void;
  warn(message: string, extra?: LogFields): void;
  error(message: string, extra?: LogFields): void;
  /**
   * Adds keys to every later line of the handling in progress (outside one: nothing). They stay for the
   * rest of it: in a loop over several escalations, run each item `withLogKeys` (or name it on the line).
   */
  appendKeys(keys: LogFields): void;
}

const handling = new AsyncLocalStorage<LogFields>();

const defined = (keys: LogFields): LogFields => Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined));

/**
 * Runs `work` as a handling of its own (a request, a queue record, a scheduled run): its lines carry `keys`
 * and the keys appended during it, never those of whatever started it (locally, a queue's timer may have
 * been set while a request was being answered).
 */
export function logHandling<T>(keys: LogFields, work: () => T): T {
  return handling.run(defined(keys), work);
}

/** Runs a part of the handling in progress (one item of a loop) with more keys: its lines carry both. */
export function withLogKeys<T>(keys: LogFields, work: () => T): T {
  return handling.run({ ...handling.getStore(), ...defined(keys) }, work);
}

/** A Log writing through `write`: each line has the handling's keys, then the line's own fields. */
export function scopedLog(write: (level: LogLevel, message: string, fields: LogFields) => void): Log {
  const at = (level: LogLevel) => (message: string, extra?: LogFields) => write(level, message, { ...handling.getStore(), ...extra });
  return {
    debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'),
    appendKeys: (keys) => { const scope = handling.getStore(); if (scope) Object.assign(scope, defined(keys)); },
  };
}

export const silentLog: Log = scopedLog(() => {});

const CORRELATION_KEYS = ['escalationId', 'caseId', 'partnerId'] as const;

/**
 * The escalation, case and partner ids found in `sources` (an escalation, a queue message or its event
 * detail, a request's path parameters): the keys that correlate a handling's lines with one escalation.
 */
export function correlationKeys(...sources: unknown[]): LogFields {
  const keys: LogFields = {};
  for (const source of sources) {
    if (typeof source !== 'object' || source === null) continue;
    for (const k of CORRELATION_KEYS) {
      const v = (source as Record<string, unknown>)[k];
      if (typeof v === 'string' && v !== '') keys[k] ??= v;
    }
  }
  return keys;
}

/** Scheduled functions' handling: each run is a handling of its own for the logs (core/log.ts). */
import { randomUUID } from 'node:crypto';
import { logHandling } from '../core/log';

/** Every line of one run carries the schedule's name and an id of the run, so that two runs' lines part. */
export const scheduledHandler = <T>(schedule: string, run: () => Promise<T>) => (): Promise<T> =>
  logHandling({ schedule, runId: randomUUID() }, run);

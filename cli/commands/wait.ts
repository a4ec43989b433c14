/**
 * `hub wait <id> --status <s> --timeout <seconds>`: follow an escalation until it reaches a status.
 * 1. GET the escalation every `--interval` ms (500 by default);
 * 2. on a TTY keep one live progress line on stderr; otherwise print a plain line per status change;
 * 3. exit 0 once the status is reached (`open` is reached too by any later state of an opened ticket),
 *    5 at once when it no longer can be (referred, cancelled, closed), 4 when the time runs out.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { STATUSES, type Escalation, type EscalationStatus } from '../api-types';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { EXIT } from '../exit-codes';

export type Verdict = 'reached' | 'unreachable' | 'waiting';

const PAST_OPEN: ReadonlySet<EscalationStatus> = new Set(['in_progress', 'awaiting_info', 'resolved', 'closed']);
const FINAL: ReadonlySet<EscalationStatus> = new Set(['referred', 'cancelled', 'closed']);

/** Whether `current` is, or can still become, `target` (the hub's state machine seen from outside). */
export function judge(target: EscalationStatus, current: EscalationStatus): Verdict {
  if (current === target) return 'reached';
  if (target === 'open' && PAST_OPEN.has(current)) return 'reached';
  if (FINAL.has(current) || target === 'requested') return 'unreachable';
  return 'waiting';
}

export interface WaitOptions { status: EscalationStatus; timeout: number; interval: number }
export interface WaitClock { now(): number; sleep(ms: number): Promise<void> }

const realClock: WaitClock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describe(e: Escalation): string {
  const parts: string[] = [e.status];
  if (e.partnerTicket) parts.push(`ticket ${e.partnerTicket.number}`);
  if (e.status === 'requested' && e.attempts) parts.push(`attempt ${e.attempts}${e.lastError ? `, last error: ${e.lastError}` : ''}`);
  return parts.join(', ');
}

export async function waitForStatus(c: CliContext, id: string, opts: WaitOptions, clock: WaitClock = realClock): Promise<void> {
  const live = c.stderr.isTTY === true;
  const started = clock.now();
  const deadline = started + opts.timeout * 1000;
  let lastStatus: string | undefined;
  let lastRaw: unknown;
  let frame = 0;
  const clearLine = () => { if (live) c.stderr.write('\r\x1b[2K'); };
  /** Ends the progress line; with --json, the last escalation seen goes to stdout whatever the outcome. */
  const finish = () => {
    clearLine();
    if (c.json && lastRaw !== undefined) c.printJson(lastRaw);
  };

  for (;;) {
    let e: Escalation;
    try {
      const res = await c.client().getEscalation(id);
      e = res.body;
      lastRaw = res.raw;
    } catch (err) {
      clearLine();
      throw err;
    }
    const elapsed = clock.now() - started;
    if (e.status !== lastStatus) {
      clearLine();
      c.err(`${secs(elapsed).padStart(7)}  ${id}  ${describe(e)}`);
      lastStatus = e.status;
    }

    const verdict = judge(opts.status, e.status);
    if (verdict === 'reached') {
      finish();
      if (!c.json) c.out(`${id} is ${e.status}${e.partnerTicket ? ` (partner ticket ${e.partnerTicket.number})` : ''} after ${secs(elapsed)}`);
      return;
    }
    if (verdict === 'unreachable') {
      finish();
      const details = e.referral ? [`reason: ${e.referral.reason}`, `instructions: ${e.referral.instructions}`] : [];
      throw new CliError(EXIT.waitUnreachable, `${id} is ${e.status}: it will not become ${opts.status}`, details);
    }
    const left = deadline - clock.now();
    if (left <= 0) {
      finish();
      throw new CliError(EXIT.waitTimeout, `timed out after ${opts.timeout} s: ${id} is still ${e.status} (waiting for ${opts.status})`);
    }
    if (live) {
      const spin = SPINNER[frame++ % SPINNER.length];
      c.stderr.write(`\r\x1b[2K${spin} waiting for ${opts.status}: ${describe(e)} · ${secs(elapsed)} of ${opts.timeout} s`);
    }
    await clock.sleep(Math.min(opts.interval, left));
  }
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('a number of seconds (0 or more) is expected');
  return n;
}

function millis(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 50) throw new InvalidArgumentError('a whole number of milliseconds, at least 50, is expected');
  return n;
}

export function registerWait(program: Command, ctx: () => CliContext) {
  program.command('wait')
    .summary('wait until an escalation reaches a status (exit 4 on timeout, 5 if it never can)')
    .description('Follow an escalation until it reaches --status, polling GET /v1/escalations/{id}. A live progress line '
      + 'goes to stderr on a terminal, a plain line per status change otherwise. "open" is also reached when the '
      + 'ticket has already moved on (in_progress, awaiting_info, resolved, closed). Exits 0 when reached, 4 on '
      + 'timeout, and 5 at once when the escalation is referred, cancelled or closed instead. With --json, the last '
      + 'escalation seen is printed on stdout whatever the outcome.')
    .argument('<escalationId>')
    .addOption(new Option('--status <status>', 'the status to wait for').choices(STATUSES).makeOptionMandatory())
    .option('--timeout <seconds>', 'give up after this long', seconds, 300)
    .option('--interval <ms>', 'poll interval', millis, 500)
    .action(async (id: string, opts: WaitOptions) => {
      await waitForStatus(ctx(), id, opts);
    });
}

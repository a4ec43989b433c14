/** Exit codes of the `hub` CLI: a contract for scripts, documented in `hub --help`. */
export const EXIT = {
  /** The command did what it was asked. */
  ok: 0,
  /** The hub answered with an error (4xx/5xx), or the CLI failed unexpectedly. */
  apiError: 1,
  /** Bad or missing arguments, an unreadable file, no HUB_TOKEN. */
  usage: 2,
  /** The hub could not be reached (connection refused, DNS, timeout). */
  unreachable: 3,
  /** `wait`: the escalation did not reach the state in time. */
  waitTimeout: 4,
  /** `wait`: the escalation reached a state from which the awaited one cannot follow (referred, cancelled, closed). */
  waitUnreachable: 5,
  /** `doctor`: a check of a partner's set-up failed. */
  checkFailed: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  the hub answered with an error (4xx/5xx): "error: <code>: <message>" on stderr
  2  usage error: bad or missing arguments, unreadable file, HUB_TOKEN not set
  3  cannot reach the hub (HUB_URL)
  4  wait: timed out before the escalation reached the status
  5  wait: the status can no longer be reached (referred, cancelled or closed)
  6  doctor: a check of a partner's set-up failed`;

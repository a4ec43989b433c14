/**
 * `hub escalate`: flag a case to the partner (POST /v1/escalations).
 * 1. start from the `--file` JSON body, if any;
 * 2. override its fields with the flags given (`--findings-file` reads the findings; `--requested-by`,
 *    `--requested-via` and `--requested-at` make `customerRequest`, `--entitlement` is `partnerEntitlement`);
 * 3. send it as is: the hub validates and answers 422 with the fields at fault.
 */
import { Option, type Command } from 'commander';
import { CUSTOMER_REQUEST_CHANNELS } from '../../core/escalation';
import type { CliContext } from '../context';
import { UsageError } from '../errors';
import { escalationLines } from '../format';
import { readJsonObject, readText } from '../read-input';
import { isoTime } from './act';

interface EscalateOptions {
  file?: string; case?: string; customer?: string; platform?: string; partner?: string;
  severity?: string; summary?: string; findings?: string; findingsFile?: string;
  requestedBy?: string; requestedVia?: string; requestedAt?: string; entitlement?: string;
}

/** Flag → body field of the API. */
const FIELDS = [
  ['case', 'caseId'], ['customer', 'customerId'], ['platform', 'platform'], ['partner', 'partnerId'],
  ['severity', 'severity'], ['summary', 'summary'], ['findings', 'findings'], ['entitlement', 'partnerEntitlement'],
] as const satisfies readonly (readonly [keyof EscalateOptions, string])[];

/** `customerRequest` from its flags (`undefined` when none is given); the time of the request defaults to `now`. */
function customerRequest(opts: EscalateOptions, now: () => Date): Record<string, string> | undefined {
  if (opts.requestedBy === undefined) {
    if (opts.requestedVia !== undefined || opts.requestedAt !== undefined) throw new UsageError('--requested-via and --requested-at need --requested-by');
    return undefined;
  }
  if (opts.requestedVia === undefined) throw new UsageError(`--requested-by needs --requested-via (${CUSTOMER_REQUEST_CHANNELS.join(' | ')})`);
  return { at: opts.requestedAt ?? now().toISOString(), by: opts.requestedBy, channel: opts.requestedVia };
}

export async function escalationBody(ctx: Pick<CliContext, 'readStdin'>, opts: EscalateOptions, now = () => new Date()): Promise<Record<string, unknown>> {
  if (opts.findings !== undefined && opts.findingsFile !== undefined) throw new UsageError('give --findings or --findings-file, not both');
  if (opts.file === '-' && opts.findingsFile === '-') throw new UsageError('--file and --findings-file cannot both read stdin');
  const body = opts.file !== undefined ? await readJsonObject(ctx, opts.file, 'escalation file') : {};
  for (const [flag, field] of FIELDS) if (opts[flag] !== undefined) body[field] = opts[flag];
  if (opts.findingsFile !== undefined) body.findings = await readText(ctx, opts.findingsFile, 'findings file');
  const request = customerRequest(opts, now);
  if (request) body.customerRequest = request;
  return body;
}

export function registerEscalate(program: Command, ctx: () => CliContext) {
  program.command('escalate')
    .summary('flag a case to the partner that serves its platform')
    .description('Flag a case to the partner that serves its platform (POST /v1/escalations). Fields come from --file '
      + '(the API\'s JSON body) and/or the flags; a flag wins over the same field in the file. Flagging the same case '
      + 'for the same partner again answers the existing escalation.')
    .option('-f, --file <path>', 'JSON body of POST /v1/escalations (- for stdin)')
    .option('--case <caseId>', 'the case id (caseId)')
    .option('--customer <customerId>', 'the customer (tenant) id (customerId)')
    .option('--platform <platform>', 'route by platform (teams, zoom, …)')
    .option('--partner <partnerId>', 'name the partner explicitly (wins over --platform)')
    .option('--severity <severity>', 'critical | high | medium | low')
    .option('--summary <text>', 'one line, up to 200 characters')
    .option('--findings <text>', 'what the engineer found, up to 20000 characters')
    .option('--findings-file <path>', 'read the findings from a file (- for stdin)')
    .option('--requested-by <who>', 'who at the customer asked for the escalation (customerRequest.by)')
    .addOption(new Option('--requested-via <channel>', 'how they asked (customerRequest.channel)').choices(CUSTOMER_REQUEST_CHANNELS))
    .option('--requested-at <time>', 'when they asked, ISO 8601 (customerRequest.at; default: now)', isoTime)
    .option('--entitlement <id>', 'the customer\'s support contract, tenant or account id with the partner (partnerEntitlement)')
    .addHelpText('after', '\nExample:\n  hub escalate --case CASE-1001 --customer acme --platform teams --severity high \\\n'
      + '    --summary "Audio drops in Teams Rooms" --findings-file examples/cli/findings-teams-audio.txt \\\n'
      + '    --requested-by "Ana (acme IT)" --requested-via phone --entitlement PREMIER-4711')
    .action(async (opts: EscalateOptions) => {
      const c = ctx();
      const body = await escalationBody(c, opts);
      const res = await c.client().createEscalation(body);
      if (c.json) return c.printJson(res.raw);
      c.out(res.status === 202 ? 'escalation requested' : 'already escalated: this case has an escalation to that partner');
      for (const line of escalationLines(res.body)) c.out(`  ${line}`);
      c.out();
      c.out(`next: hub wait ${res.body.escalationId} --status open --timeout 120`);
    });
}

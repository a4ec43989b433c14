/**
 * The engineer's actions on one escalation: `comment`, `joint-call`, `partner-ticket`, `retry`, `partner-status`, `cancel`,
 * `known-incident confirm|dismiss` (POST /v1/escalations/{id}/…).
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../context';
import { UsageError } from '../errors';
import { escalationLines } from '../format';

function minutes(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('a whole number of minutes is expected');
  return n;
}

/** An ISO 8601 time flag, normalised to UTC. */
export function isoTime(value: string): string {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('an ISO 8601 time is expected, e.g. 2026-11-25T15:00:00Z');
  }
  return new Date(value).toISOString();
}

export function registerActions(program: Command, ctx: () => CliContext) {
  program.command('comment')
    .summary('add a comment (forwarded to the partner ticket)')
    .description('Add a comment to the timeline; the hub forwards it to the partner ticket once one exists '
      + '(POST /v1/escalations/{id}/comments). The words of <text> are joined by spaces; "-" reads stdin.')
    .argument('<escalationId>')
    .argument('<text...>')
    .action(async (id: string, words: string[]) => {
      const c = ctx();
      const text = words.length === 1 && words[0] === '-' ? await c.readStdin() : words.join(' ');
      if (!text.trim()) throw new UsageError('the comment is empty');
      const res = await c.client().addComment(id, text);
      if (c.json) return c.printJson(res.raw);
      const { forwarded, message } = res.body as { forwarded?: unknown; message?: unknown };
      // the hub says where the comment went; older hubs only said `forwarded`
      const how = typeof message === 'string' ? message
        : forwarded === 'pending' ? 'on its way to the partner ticket'
          : typeof forwarded === 'string' ? `forwarded ${forwarded}` : undefined;
      c.out(`comment added to ${id}${how ? `: ${how}` : ''}`);
    });

  program.command('joint-call')
    .summary('schedule a joint call with the partner')
    .description('Schedule a joint call through the partner profile\'s collaboration connector '
      + '(POST /v1/escalations/{id}/joint-calls); 409 when the profile has none.')
    .argument('<escalationId>')
    .option('--start <time>', 'start time, ISO 8601 (default: the hub\'s choice)', isoTime)
    .option('--duration <minutes>', 'length in minutes (5–480)', minutes)
    .action(async (id: string, opts: { start?: string; duration?: number }) => {
      const c = ctx();
      const res = await c.client().scheduleJointCall(id, {
        ...(opts.start ? { startTime: opts.start } : {}),
        ...(opts.duration ? { durationMinutes: opts.duration } : {}),
      });
      if (c.json) return c.printJson(res.raw);
      c.out(`joint call scheduled (${res.body.provider}, meeting ${res.body.meetingId})`);
      c.out(`join: ${res.body.joinUrl}`);
    });

  program.command('partner-ticket')
    .summary('record a partner ticket opened by hand in the partner\'s portal')
    .description('Record a ticket an engineer opened by hand in the partner\'s portal (connector manual); the hub then '
      + 'tracks it like any other (POST /v1/escalations/{id}/partner-ticket). 409 if it already has a ticket.')
    .argument('<escalationId>')
    .requiredOption('--number <number>', 'the ticket number as the partner shows it')
    .option('--url <url>', 'link to the ticket in the partner\'s portal')
    .action(async (id: string, opts: { number: string; url?: string }) => {
      const c = ctx();
      const res = await c.client().recordPartnerTicket(id, { number: opts.number, ...(opts.url ? { url: opts.url } : {}) });
      if (c.json) return c.printJson(res.raw);
      c.out('partner ticket recorded');
      for (const line of escalationLines(res.body)) c.out(`  ${line}`);
    });

  program.command('retry')
    .summary('try again to open the partner incident of a referred escalation')
    .description('Try again to open the partner incident (POST /v1/escalations/{id}/retry): a referred escalation goes back '
      + 'to requested, the same escalation and externalRef (the partner never gets a second incident), queued for the '
      + 'partner worker; one waiting on a problem of the hub\'s set-up is tried at once. 409 in any other state.')
    .argument('<escalationId>')
    .action(async (id: string) => {
      const c = ctx();
      const res = await c.client().retry(id);
      if (c.json) return c.printJson(res.raw);
      c.out(`escalation ${res.body.escalationId} ${res.body.status}: the hub tries again to open the partner incident`);
      c.out(`next: hub wait ${res.body.escalationId} --status open --timeout 120`);
    });

  program.command('partner-status')
    .summary('record the status a manual partner\'s portal shows')
    .description('For a partner without an API (connector manual): record what its portal shows '
      + '(POST /v1/escalations/{id}/partner-status). 409 for a partner with an API, or before a partner ticket exists.')
    .argument('<escalationId>')
    .requiredOption('--status <status>', 'in_progress, awaiting_info, resolved or closed')
    .option('--note <text>', 'what the partner said (kept in the timeline)')
    .action(async (id: string, opts: { status: string; note?: string }) => {
      const c = ctx();
      const res = await c.client().recordPartnerStatus(id, { status: opts.status, ...(opts.note ? { note: opts.note } : {}) });
      if (c.json) return c.printJson(res.raw);
      c.out('partner status recorded');
      for (const line of escalationLines(res.body)) c.out(`  ${line}`);
    });

  const knownIncident = program.command('known-incident').summary('confirm or dismiss a partner incident the hub suggested');
  for (const [verdict, says] of [
    ['confirm', 'is what the case is about: the customer sees it from now on'],
    ['dismiss', 'is not what the case is about: it stays for engineers, customers do not see it'],
  ] as const) {
    knownIncident.command(verdict)
      .description(`Say that the partner's own incident <incidentId> (as \`hub show\` lists it, e.g. TM123456) ${says} `
        + `(POST /v1/escalations/{id}/known-incidents/{incidentId}/${verdict}).`)
      .argument('<escalationId>')
      .argument('<incidentId>')
      .action(async (id: string, incidentId: string) => {
        const c = ctx();
        const res = await c.client().decideKnownIncident(id, incidentId, verdict);
        if (c.json) return c.printJson(res.raw);
        c.out(`known incident ${incidentId} ${verdict === 'confirm' ? 'confirmed' : 'dismissed'} on ${id}`);
        for (const line of escalationLines(res.body)) c.out(`  ${line}`);
      });
  }

  program.command('cancel')
    .summary('cancel an escalation')
    .description('Cancel an escalation (POST /v1/escalations/{id}/cancel); a ticket already open at the partner gets a '
      + 'comment saying so.')
    .argument('<escalationId>')
    .requiredOption('--reason <text>', 'why (recorded, and told to the partner)')
    .action(async (id: string, opts: { reason: string }) => {
      const c = ctx();
      const res = await c.client().cancel(id, opts.reason);
      if (c.json) return c.printJson(res.raw);
      c.out(`escalation ${res.body.escalationId} ${res.body.status}`);
    });
}

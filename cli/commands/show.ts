/** `hub show <id>` and `hub list --case <caseId>`: read escalations (GET /v1/escalations…). */
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { UsageError } from '../errors';
import { listLines, showLines, timelinePageLines } from '../format';

export function registerShow(program: Command, ctx: () => CliContext) {
  program.command('show')
    .summary('status, partner ticket, referral and timeline of an escalation')
    .description('Show an escalation: status, partner ticket, referral, and the most recent 200 entries of its timeline in time order (GET /v1/escalations/{id}); when there are older ones, the last line says how to see them (hub timeline).')
    .argument('<escalationId>')
    .action(async (id: string) => {
      const c = ctx();
      const res = await c.client().getEscalation(id);
      if (c.json) return c.printJson(res.raw);
      for (const line of showLines(res.body, c.stdout.isTTY ? c.stdout.columns : undefined)) c.out(line);
    });

  program.command('timeline')
    .summary('timeline entries of an escalation, a page at a time')
    .description('Show timeline entries in time order, the newest first page (GET /v1/escalations/{id}/timeline): --before takes the cursor `hub show` or the previous page printed, to go further back.')
    .argument('<escalationId>')
    .option('--before <cursor>', 'entries older than this cursor (from `hub show` or the previous page)')
    .option('--limit <n>', 'entries per page, 1–200', '100')
    .action(async (id: string, opts: { before?: string; limit: string }) => {
      const c = ctx();
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new UsageError(`--limit must be a whole number from 1 to 200, not ${opts.limit}`);
      const res = await c.client().getTimeline(id, { before: opts.before, limit });
      if (c.json) return c.printJson(res.raw);
      for (const line of timelinePageLines(id, res.body, c.stdout.isTTY ? c.stdout.columns : undefined)) c.out(line);
    });

  program.command('list')
    .summary('the escalations of a case')
    .description('List the escalations of a case, one per partner (GET /v1/escalations?caseId=).')
    .requiredOption('--case <caseId>', 'the case id')
    .action(async (opts: { case: string }) => {
      const c = ctx();
      const res = await c.client().listEscalations(opts.case);
      if (c.json) return c.printJson(res.raw);
      if (res.body.items.length === 0) return c.err(`no escalations for case ${opts.case}`);
      for (const line of listLines(res.body.items, c.stdout.isTTY ? c.stdout.columns : undefined)) c.out(line);
    });
}

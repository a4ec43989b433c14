/** `hub show <id>` and `hub list --case <caseId>`: read escalations (GET /v1/escalations…). */
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { listLines, showLines } from '../format';

export function registerShow(program: Command, ctx: () => CliContext) {
  program.command('show')
    .summary('status, partner ticket, referral and timeline of an escalation')
    .description('Show an escalation: status, partner ticket, referral, and its timeline in time order (GET /v1/escalations/{id}).')
    .argument('<escalationId>')
    .action(async (id: string) => {
      const c = ctx();
      const res = await c.client().getEscalation(id);
      if (c.json) return c.printJson(res.raw);
      for (const line of showLines(res.body, c.stdout.isTTY ? c.stdout.columns : undefined)) c.out(line);
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

/** `hub dlq list` and `hub dlq redrive`: dead letters you can act on (admin token; GET/POST /v1/admin/dead-letters). */
import type { Command } from 'commander';
import type { CliContext } from '../context';

export function registerDlq(program: Command, ctx: () => CliContext) {
  const dlq = program.command('dlq').summary('dead letters: what failed and why, and a safe replay (admin token)');

  dlq.command('list')
    .description('List the messages in the dead-letter queues, with the escalation each concerns and the last error its consumer gave.')
    .option('--queue <name>', 'only this work queue (e.g. partner-work-microsoft, comments, notifications)')
    .action(async (opts: { queue?: string }) => {
      const c = ctx();
      const res = await c.client().listDeadLetters(opts.queue);
      if (c.json) return c.printJson(res.raw);
      if (res.body.items.length === 0) return c.out(`no dead letters (queues: ${res.body.queues.join(', ')})`);
      for (const m of res.body.items) {
        c.out(`${m.queue}  ${m.messageId}  received ${m.receiveCount}×  ${m.escalationId ?? '(no escalation)'}`);
        c.out(`  last error: ${m.lastError ?? 'unknown'}${m.failedAt ? ` (${m.failedAt})` : ''}`);
      }
      c.out(`${res.body.items.length} dead letter(s); replay with: hub dlq redrive${opts.queue ? ` --queue ${opts.queue}` : ''}`);
    });

  dlq.command('redrive')
    .description('Move dead letters back to their work queue. Safe to repeat: every consumer is idempotent.')
    .option('--queue <name>', 'only this work queue')
    .action(async (opts: { queue?: string }) => {
      const c = ctx();
      const res = await c.client().redriveDeadLetters(opts.queue);
      if (c.json) return c.printJson(res.raw);
      for (const r of res.body.results) c.out(`${r.queue}: ${typeof r.moved === 'number' ? `${r.moved} message(s) moved back` : 'move task started'}`);
    });
}

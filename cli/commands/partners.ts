/** `hub partners health <partnerId>`: the partner's own incidents active now (GET /v1/partners/{partnerId}/known-incidents). */
import type { Command } from 'commander';
import type { CliContext } from '../context';

export function registerPartners(program: Command, ctx: () => CliContext) {
  const partners = program.command('partners').summary('what the hub knows of a partner');

  partners.command('health')
    .argument('<partnerId>', 'the partner, as the hub configuration names it (e.g. microsoft)')
    .description('List the partner\'s own incidents active now (its service health: Microsoft 365, a status page), as the hub last polled them.')
    .action(async (partnerId: string) => {
      const c = ctx();
      const res = await c.client().listKnownIncidents(partnerId);
      if (c.json) return c.printJson(res.raw);
      const { items, source, polledAt } = res.body;
      if (source === null) return c.out(`${partnerId} has no service-health source (its profile names no serviceHealth)`);
      const asOf = polledAt ? `as of ${polledAt}` : 'not polled yet';
      if (items.length === 0) return c.out(`no active incidents at ${partnerId} (${source}, ${asOf})`);
      for (const i of items) {
        c.out(`${i.id}  ${i.status}  since ${i.startedAt}  ${i.services.join(', ')}`);
        c.out(`  ${i.title}${i.url ? `\n  ${i.url}` : ''}`);
      }
      c.out(`${items.length} active incident(s) at ${partnerId} (${source}, ${asOf})`);
    });
}

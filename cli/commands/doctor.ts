/**
 * `hub doctor`: checks each partner's set-up, one line per check, exit 6 when one fails. With `--config`
 * it reads the file and runs the checks here (the secrets come from this shell's environment); without,
 * the hub at HUB_URL runs them where its secrets are (`POST /v1/admin/doctor`, admin token).
 */
import type { Command } from 'commander';
import type { DoctorReport } from '../api-types';
import type { CliContext } from '../context';
import { CliError, UsageError } from '../errors';
import { EXIT } from '../exit-codes';
import { table } from '../format';

export function registerDoctor(program: Command, ctx: () => CliContext) {
  program.command('doctor')
    .summary('check each partner\'s set-up: variables, secrets, token, a harmless read, webhook URLs')
    .description('Check each partner\'s set-up, one line per check: every ${NAME} is set, secrets have their form, the partner '
      + 'accepts the credentials and a harmless read, and the webhook URLs to register. Exits 6 when a check fails. '
      + 'Without --config, the hub at HUB_URL runs the checks (admin token).')
    .option('--config <file>', 'check this configuration file here, with this shell\'s environment, without a running hub')
    .action(async (opts: { config?: string }) => {
      const c = ctx();
      const report = opts.config ? await onFile(opts.config, c.env) : (await c.client().doctor()).body;
      if (c.json) c.printJson(report);
      else printReport(c, report);
      if (!report.ok) throw new CliError(EXIT.checkFailed, `${report.checks.filter((l) => l.result === 'fail').length} check(s) failed`);
    });
}

async function onFile(file: string, env: CliContext['env']): Promise<DoctorReport> {
  // loaded only here: the connectors (and zod) cost start-up time the other commands should not pay
  const { doctorOnFile } = await import('../../local/doctor');
  try {
    return await doctorOnFile(file, env);
  } catch (err) {
    throw new UsageError(`cannot check ${file}: ${(err as Error).message}`);
  }
}

export function printReport(c: Pick<CliContext, 'out' | 'stdout'>, report: DoctorReport): void {
  const rows = report.checks.map((l) => [l.partner, l.connector, l.check, l.result === 'fail' ? 'FAIL' : l.result, l.detail]);
  for (const line of table(['PARTNER', 'CONNECTOR', 'CHECK', 'RESULT', 'DETAIL'], rows, c.stdout.isTTY ? c.stdout.columns : undefined)) c.out(line);
  const count = (r: string) => report.checks.filter((l) => l.result === r).length;
  c.out();
  c.out(report.ok ? `all checks pass (${count('pass')} passed, ${count('skip')} not checked)` : `${count('fail')} check(s) failed, ${count('pass')} passed, ${count('skip')} not checked`);
}

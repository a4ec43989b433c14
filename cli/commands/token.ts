/**
 * `hub token`: mint a local development bearer token (HS256), signed with HUB_JWT_SECRET or, when unset,
 * the local runtime's development key, the same the hub started by `npm start` accepts.
 * Prints the token alone on stdout: `export HUB_TOKEN=$(npx hub token)`.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEV_JWT_SECRET } from '../../local/dev-secret';
import { signJwt } from '../../local/jwt';
import type { CliContext } from '../context';
import { UsageError } from '../errors';

const ROLES = ['engineer', 'customer', 'admin'] as const;
type Role = (typeof ROLES)[number];

interface TokenOptions { role: Role; sub?: string; customer?: string; ttl: number }

const DEFAULT_SUB: Record<Role, (customer?: string) => string> = {
  engineer: () => 'eng-local',
  admin: () => 'admin-local',
  customer: (customer) => `cust-${customer}`,
};

function ttl(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('a whole number of seconds above 0 is expected');
  return n;
}

export function mintToken(opts: TokenOptions, secret: string, now = Date.now()) {
  if (opts.role === 'customer' && !opts.customer) throw new UsageError('a customer token needs --customer <customerId>');
  if (opts.role !== 'customer' && opts.customer) throw new UsageError('--customer only applies to --role customer');
  const claims = {
    sub: opts.sub ?? DEFAULT_SUB[opts.role](opts.customer),
    role: opts.role,
    ...(opts.customer ? { customerId: opts.customer } : {}),
  };
  return { token: signJwt(claims, secret, opts.ttl, now), claims, expiresAt: new Date(now + opts.ttl * 1000).toISOString() };
}

export function registerToken(program: Command, ctx: () => CliContext) {
  program.command('token')
    .summary('mint a local development token')
    .description('Mint a bearer token for the local runtime (HS256, signed with HUB_JWT_SECRET, or the development key '
      + 'of `npm start` when unset). Deployed hubs take tokens from their OIDC issuer instead.')
    .addOption(new Option('--role <role>', 'the role claim').choices(ROLES).default('engineer'))
    .option('--sub <id>', 'the caller id (default eng-local, admin-local or cust-<customer>)')
    .option('--customer <customerId>', 'the tenant of a customer token (required with --role customer)')
    .option('--ttl <seconds>', 'lifetime', ttl, 3600)
    .addHelpText('after', '\nExample:\n  export HUB_TOKEN=$(npx hub token)\n  npx hub token --role customer --customer acme --ttl 600')
    .action((opts: TokenOptions) => {
      const c = ctx();
      const secret = c.env.HUB_JWT_SECRET || DEV_JWT_SECRET;
      const minted = mintToken(opts, secret);
      if (c.json) return c.printJson(minted);
      if (!c.env.HUB_JWT_SECRET && c.stderr.isTTY) c.err('HUB_JWT_SECRET is not set: signed with the local development key');
      c.out(minted.token);
    });
}

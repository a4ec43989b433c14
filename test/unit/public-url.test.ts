import { publicUrlFromEnv } from '../../functions/adapters/hub-deps';
import { nextDue, RENEW_AHEAD_MS } from '../../core/use-cases/meeting-subscriptions';
import { ConfigError } from '../../core/errors';

describe('HUB_PUBLIC_URL', () => {
  it('is optional, loses trailing slashes, and fails loudly when it is not an http(s) URL', () => {
    expect(publicUrlFromEnv({})).toBeUndefined();
    expect(publicUrlFromEnv({ HUB_PUBLIC_URL: '' })).toBeUndefined();
    expect(publicUrlFromEnv({ HUB_PUBLIC_URL: 'https://abc.execute-api.eu-west-1.amazonaws.com/' })).toBe('https://abc.execute-api.eu-west-1.amazonaws.com');
    expect(() => publicUrlFromEnv({ HUB_PUBLIC_URL: 'hub.example.com' })).toThrow(ConfigError);
    expect(() => publicUrlFromEnv({ HUB_PUBLIC_URL: 'ftp://hub.example.com' })).toThrow(/http\(s\)/);
  });
});

describe('meeting subscription due times', () => {
  const now = new Date(Date.UTC(2030, 0, 1));
  const at = (h: number) => new Date(now.getTime() + h * 3600_000).toISOString();
  it('renews ahead of expiry (half the remaining life when that is shorter), and waits for the stop time once the expiry reaches it', () => {
    expect(nextDue(at(70), now, at(200))).toBe(new Date(Date.parse(at(70)) - RENEW_AHEAD_MS).toISOString());
    expect(nextDue(at(4), now, at(200))).toBe(at(2));
    expect(nextDue(at(30), now, at(30))).toBe(at(30));
  });
});

/** OAuth access tokens shared by the connectors that fetch them (Entra ID for Teams, Zoom S2S OAuth). */
import type { Clock } from '../core/ports';

/**
 * Access tokens for one client: cached until `margin` before expiry, one request in flight at a time,
 * and dropped on demand when the API refuses one (revoked, or a clock far off).
 */
export class AccessTokenCache {
  private current: { value: string; refreshAt: number } | undefined;
  private inflight: Promise<string> | undefined;
  constructor(private readonly fetchToken: () => Promise<{ token: string; expiresInSeconds: number }>, private readonly clock: Clock) {}

  get(): Promise<string> {
    const now = this.clock.now().getTime();
    if (this.current && now < this.current.refreshAt) return Promise.resolve(this.current.value);
    this.inflight ??= this.fetchToken().then(({ token, expiresInSeconds }) => {
      // refresh five minutes early, or halfway through a short-lived token
      const margin = Math.min(300, expiresInSeconds / 2);
      this.current = { value: token, refreshAt: now + (expiresInSeconds - margin) * 1000 };
      return token;
    }).finally(() => { this.inflight = undefined; });
    return this.inflight;
  }

  /**
   * Runs a call with a token; when the API answers 401 (token expired or revoked before its time), drops
   * that token and runs the call once more with a fresh one.
   */
  async withToken<R extends { status: number }>(run: (token: string) => Promise<R>): Promise<R> {
    const first = await this.get();
    const res = await run(first);
    if (res.status !== 401) return res;
    this.invalidate(first);
    return run(await this.get());
  }

  /** Forgets `token` if it is still the cached one (a concurrent caller may already hold a newer one). */
  invalidate(token: string): void {
    if (this.current?.value === token) this.current = undefined;
  }
}

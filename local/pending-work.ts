/**
 * Work the local hub has started and not finished (HTTP handlers, queue batches, schedule runs), so that
 * stopping can wait for it before the embedded store closes. Without this, a handler still running when
 * dynalite shuts its LevelDB fails with "Database is not open".
 */
export class PendingWork {
  private readonly work = new Set<Promise<void>>();

  get size(): number { return this.work.size; }

  /** Tracks `p` until it settles; answers `p` itself, so callers keep its result and its errors. */
  track<T>(p: Promise<T>): Promise<T> {
    const settled: Promise<void> = p.then(() => undefined, () => undefined).finally(() => this.work.delete(settled));
    this.work.add(settled);
    return p;
  }

  /** Resolves once nothing tracked is running, including work started while waiting; gives up after `limitMs`. */
  async settled(limitMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + limitMs;
    while (this.work.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all([...this.work]), new Promise((r) => { timer = setTimeout(r, left); })]);
      clearTimeout(timer);
    }
    return true;
  }
}

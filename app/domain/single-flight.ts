/**
 * One run per key at a time in this process: a second caller for a key whose run is still going gets the same
 * promise instead of starting another (the board's background refreshes of Shopify analytics and campaigns).
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  /** Starts `run` for the key, or joins the one already running. */
  run(key: string, run: () => Promise<T>): Promise<T> {
    const current = this.running.get(key);
    if (current) return current;
    const started = run().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }

  isRunning(key: string): boolean {
    return this.running.has(key);
  }
}

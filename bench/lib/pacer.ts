/**
 * Keeps a load generator under the server's per-caller rate limit (src/auth/rate-limit.ts)
 * by keeping the same token bucket on the client, a little slower than the server's: a
 * measurement waits for a token before it starts, so no request is refused and no wait
 * is timed. Only for a bench talking to a real `tidemark serve`, whose limits stay on.
 */
export class Pacer {
  private tokens: number;
  private at = performance.now();

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.ratePerSec);
    this.at = now;
  }

  /** Counts `n` requests sent (by this process or a browser it drives). */
  note(n = 1): void {
    this.refill();
    this.tokens -= n;
  }

  /** Resolves once `n` requests can be sent without being refused. */
  async ready(n = 1): Promise<void> {
    this.refill();
    while (this.tokens < n) {
      await new Promise((r) => setTimeout(r, Math.ceil(((n - this.tokens) / this.ratePerSec) * 1000)));
      this.refill();
    }
  }
}

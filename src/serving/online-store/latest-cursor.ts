/**
 * The newest run event cursor, shared by concurrent reads: one `max(id)` lookup serves
 * every read that arrived before it started. A read that arrives while a lookup is in
 * flight waits for the next one, which starts after it arrived: a lookup begun before
 * a mutation returned could miss that mutation's event.
 */
export class LatestCursor {
  private current: Promise<number> | null = null;
  private next: Promise<number> | null = null;

  constructor(private readonly lookup: () => Promise<number>) {}

  get(): Promise<number> {
    if (!this.current) return this.start();
    this.next ??= this.current
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.start();
      });
    return this.next;
  }

  private start(): Promise<number> {
    const p = this.lookup().finally(() => {
      if (this.current === p) this.current = null;
    });
    this.current = p;
    return p;
  }
}

/**
 * One copy of each short text a run keeps many times. A CSV line is split into fresh
 * strings, so a device id or a status seen on a million rows is a million strings,
 * all alive until the commit; with a pool they are one each, and the fresh copies
 * die young. Per run (never shared between runs), and bounded: past `capacity`
 * distinct texts the pool stops growing and new texts are kept as they are.
 */
export class StringPool {
  private readonly texts = new Map<string, string>();

  constructor(
    private readonly capacity = 100_000,
    private readonly maxLength = 64,
  ) {}

  intern(text: string): string {
    if (text.length > this.maxLength) return text;
    const known = this.texts.get(text);
    if (known !== undefined) return known;
    if (this.texts.size < this.capacity) this.texts.set(text, text);
    return text;
  }

  get size(): number {
    return this.texts.size;
  }
}

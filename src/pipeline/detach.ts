/**
 * A copy sharing no string with the text it was parsed from. A parsed cell is a V8
 * slice of its whole input chunk (64 KiB), and V8 keeps the chunk alive for as long as
 * the slice lives: the few values a run keeps until its commit (rejects, dictionary
 * texts) would otherwise hold most of the file. The JSON round trip keeps exactly what
 * JSON can hold, which is what the store writes anyway.
 */
export function detached<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A text of its own; strings under 13 characters are always copied by V8, not sliced. */
export function ownText(text: string): string {
  return text.length < 13 ? text : detached(text);
}

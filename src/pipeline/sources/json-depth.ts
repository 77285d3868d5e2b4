/**
 * How deeply a parsed record may nest. A record is a flat row in nearly every feed;
 * a line holding a 5,000-deep array once blew the stack later in the run (copying and
 * storing it) and failed the whole run. Beyond this depth the record is a reject with
 * its reason, and the run goes on.
 */
export const MAX_JSON_DEPTH = 32;

/** Whether `value` nests objects or arrays deeper than `max` (the record itself is level 1). Iterative: no stack to blow. */
export function exceedsJsonDepth(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: Array<[object, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (child !== null && typeof child === 'object') stack.push([child as object, depth + 1]);
    }
  }
  return false;
}

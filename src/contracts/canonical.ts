/**
 * Canonical JSON and hashing. A contract's identity is the hash of its content, not of
 * its formatting: re-indenting, reordering keys or switching flow/block style in the
 * YAML must not change it, while any change of value must.
 */
import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted recursively (by UTF-16 code unit) and no whitespace.
 * Follows JSON.stringify for what it keeps (undefined properties are dropped,
 * undefined array items become null, toJSON is honoured) but refuses values JSON
 * cannot represent faithfully, so that two different values never share a hash.
 */
export function canonicalJson(value: unknown): string {
  const out = encode(value, new Set());
  if (out === undefined) throw new TypeError('canonicalJson: value is not representable as JSON');
  return out;
}

function encode(value: unknown, seen: Set<object>): string | undefined {
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not representable as JSON`);
    return JSON.stringify(value);
  }
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value === 'bigint') throw new TypeError('canonicalJson: bigint is not representable as JSON');
  if (seen.has(value)) throw new TypeError('canonicalJson: circular structure');
  seen.add(value);
  try {
    return Array.isArray(value)
      ? encodeArray(value, seen)
      : encodeObject(value as Record<string, unknown>, seen);
  } finally {
    seen.delete(value);
  }
}

function encodeArray(items: unknown[], seen: Set<object>): string {
  return '[' + items.map((item) => encode(item, seen) ?? 'null').join(',') + ']';
}

function encodeObject(obj: Record<string, unknown>, seen: Set<object>): string {
  const parts: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    const v = encode(obj[key], seen);
    if (v !== undefined) parts.push(JSON.stringify(key) + ':' + v);
  }
  return '{' + parts.join(',') + '}';
}

export function sha256Hex(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

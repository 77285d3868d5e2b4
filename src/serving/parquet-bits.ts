/**
 * The byte layouts a flat Parquet column needs, written straight from typed arrays:
 * definition levels and dictionary indexes in the RLE / bit-packed hybrid, booleans
 * bit-packed, INT64 as two 32-bit words, text as length-prefixed UTF-8. Each returns an
 * array sized exactly, so nothing per value is allocated.
 *
 * Multi-byte numbers are written in the platform's byte order through typed arrays;
 * Parquet's is little-endian, as is every platform Node.js ships for but s390x, which
 * `LITTLE_ENDIAN` refuses at load.
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
if (!LITTLE_ENDIAN) throw new Error('the Parquet encoder needs a little-endian platform');

const TWO_32 = 4_294_967_296;
const INT64_LIMIT = 9_223_372_036_854_775_808;

/** The bytes of an unsigned varint (ULEB128). */
function varint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

/**
 * Definition levels of an OPTIONAL column (bit width 1): one RLE run when every row is
 * set or every row is null, else one bit-packed run of a bit per row.
 */
export function definitionLevels(n: number, nulls: Uint8Array | null, nullCount: number): Uint8Array {
  if (nullCount === 0 || nullCount === n) {
    const head = varint(n * 2);
    return Uint8Array.from([...head, nullCount === 0 ? 1 : 0]);
  }
  const groups = Math.ceil(n / 8);
  const head = varint(groups * 2 + 1);
  const out = new Uint8Array(head.length + groups);
  out.set(head);
  const base = head.length;
  for (let i = 0; i < n; i++) if (!nulls![i]) out[base + (i >> 3)]! |= 1 << (i & 7);
  return out;
}

/** Dictionary indexes as RLE_DICTIONARY data: the bit width, then one bit-packed run. */
export function dictionaryIndexes(indexes: Int32Array, count: number, dictionarySize: number): Uint8Array {
  const width = Math.max(1, Math.ceil(Math.log2(dictionarySize)));
  const groups = Math.ceil(count / 8);
  const head = varint(groups * 2 + 1);
  const out = new Uint8Array(1 + head.length + groups * width);
  out[0] = width;
  out.set(head, 1);
  let at = 1 + head.length;
  // Width ≤ 24 bits here (a chunk never holds 16M distinct values), so the pending
  // bits stay under 32.
  let bits = 0;
  let pending = 0;
  for (let i = 0; i < count; i++) {
    pending |= indexes[i]! << bits;
    bits += width;
    while (bits >= 8) {
      out[at++] = pending & 0xff;
      pending >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out[at] = pending & 0xff;
  return out;
}

/** Booleans PLAIN-encoded: a bit each, least significant first. */
export function packedBooleans(values: Uint8Array, nulls: Uint8Array | null, count: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(count / 8));
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    if (nulls?.[i]) continue;
    if (values[i]) out[k >> 3]! |= 1 << (k & 7);
    k++;
  }
  return out;
}

/** The set values of a column, nulls left out (PLAIN writes only those). */
export function setValues(values: Float64Array, nulls: Uint8Array | null, count: number): Float64Array {
  if (!nulls) return values;
  const out = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (!nulls[i]) out[k++] = values[i]!;
  return out;
}

/**
 * Whole numbers as INT64 words (low, high), without a BigInt per value. Exact for every
 * integral double; one that does not fit 64 bits is refused, naming the column.
 */
export function int64Words(values: Float64Array, column: string): Int32Array {
  const out = new Int32Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!(x >= -INT64_LIMIT && x < INT64_LIMIT))
      throw new RangeError(`column ${column}: ${x} does not fit a Parquet INT64`);
    const high = Math.floor(x / TWO_32);
    out[2 * i] = x - high * TWO_32;
    out[2 * i + 1] = high;
  }
  return out;
}

/** Texts PLAIN-encoded: each as a 4-byte length, then its UTF-8 bytes. */
export function plainTexts(texts: ArrayLike<string>): Uint8Array {
  let room = 0;
  for (let i = 0; i < texts.length; i++) room += 4 + texts[i]!.length * 3;
  const out = Buffer.allocUnsafe(room);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    const written = out.write(texts[i]!, at + 4, 'utf8');
    out.writeUInt32LE(written, at);
    at += 4 + written;
  }
  return new Uint8Array(out.buffer, out.byteOffset, at);
}

/** The bytes a typed array holds (a view, no copy). */
export function bytesOf(a: Float64Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

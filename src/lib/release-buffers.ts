/**
 * Gives typed arrays' memory back now instead of at the collector's next full
 * collection: a long-lived array's buffer is freed only when the old generation is
 * collected, which may be after the next big request has allocated as much again. Each
 * buffer is moved (transferred, not copied) into a clone nobody keeps, which the next
 * young collection frees; the arrays given are left empty (detached), so this is only
 * for arrays that are read no more. (ArrayBuffer.prototype.transfer does this directly
 * from Node 22.)
 */
export function releaseBuffers(arrays: Iterable<ArrayBufferView>): void {
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays)
    if (a.buffer instanceof ArrayBuffer && a.buffer.byteLength > 0) buffers.add(a.buffer);
  if (buffers.size > 0) structuredClone([...buffers], { transfer: [...buffers] });
}

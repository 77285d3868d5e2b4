/** V8 flags every Tidemark process runs with (bin/v8-flags.mjs says why). */
export const V8_FLAGS: readonly string[];

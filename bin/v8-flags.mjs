/**
 * V8 flags every Tidemark process runs with: set by bin/tidemark.js as it starts, and
 * passed to the bench's worker processes so they run as a deployment does.
 *
 * --no-allocation-site-pretenuring: V8 watches where objects are allocated and, when
 * most of a site's objects outlive a young collection, allocates that site's objects
 * straight into the old generation. A run's or a bulk training set's rows live for one
 * batch (a few milliseconds, across an await), long enough to be judged so: from then on
 * every such row was born old and stayed as garbage until the next full collection.
 * Measured on a 1M-row ingest: 328 MB peak and 14.2 s with it, 250 MB and 12.7 s
 * without; counting a 1M-row spine in 7,692-row chunks: 128 MB of heap against 72 MB.
 */
export const V8_FLAGS = ['--no-allocation-site-pretenuring'];

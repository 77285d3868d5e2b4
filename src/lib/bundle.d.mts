/** The URL of `entry` (an absolute path to a TypeScript module) bundled as `name`, or null where it cannot be. */
export function bundled(entry: string, name: string): Promise<URL | null>;
/** The cache name of an entry's bundle: its file name without `.ts` (`cli`, `training-parquet.worker`). */
export function bundleName(entry: string): string;

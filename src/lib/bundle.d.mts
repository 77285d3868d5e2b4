/** The URL of `entry` (an absolute path to a TypeScript module) bundled as `name`, or null where it cannot be. */
export function bundled(entry: string, name: string): Promise<URL | null>;

/**
 * The mark of an Apollo plugin whose per-request work the fast execution path
 * (fast-execution.ts) does too, through the same code. Beside a plugin with per-request
 * hooks that lacks it (one added later, or one Apollo installs itself, such as usage
 * reporting when APOLLO_KEY is set) the fast path stays off: that plugin would
 * silently not run for the requests the fast path answers.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

export const MIRRORED = Symbol('mirrored by the fast execution path');

export function mirrored<T extends BaseContext>(plugin: ApolloServerPlugin<T>): ApolloServerPlugin<T> {
  return Object.assign(plugin, { [MIRRORED]: true });
}

/** Plugins that act per request (requestDidStart) without the mark. */
export function unmirrored<T extends BaseContext>(plugins: ReadonlyArray<ApolloServerPlugin<T>>): string[] {
  return plugins
    .filter((p) => typeof p.requestDidStart === 'function' && !(p as { [MIRRORED]?: boolean })[MIRRORED])
    .map((p, i) => (p as { __internal_plugin_id__?: string }).__internal_plugin_id__ ?? `plugins[${i}]`);
}

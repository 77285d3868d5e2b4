/**
 * The API key the console sends, kept for this browser tab's session only
 * (sessionStorage): closing the tab forgets it, and it never goes to localStorage.
 */
const KEY = 'tidemark.apiKey';

type Listener = (state: AuthState) => void;

export interface AuthState {
  /** True while the console waits for a key (the server asked for one or refused the last). */
  prompting: boolean;
  /** Why the prompt is shown, in plain words. */
  message: string;
  /** Bumped each time a key is accepted, so pages load again with it. */
  generation: number;
}

let state: AuthState = { prompting: false, message: '', generation: 0 };
const listeners = new Set<Listener>();

function set(next: AuthState): void {
  state = next;
  for (const l of listeners) l(state);
}

export function authState(): AuthState {
  return state;
}

export function onAuthChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: the key lives as long as the page
  }
}

export function authorizationHeader(): Record<string, string> {
  const key = storedKey();
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** The server refused the call: forget a refused key and show the prompt with the reason. */
export function requireKey(serverMessage: string): void {
  const had = storedKey();
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* nothing stored */
  }
  // The first reason stays: the HTTP answer says more than a WebSocket closing after it.
  if (state.prompting) return;
  const message = had
    ? `The server refused the key: ${serverMessage}. Enter another key.`
    : 'This server requires an API key. Enter one to continue.';
  set({ ...state, prompting: true, message });
}

/** Keeps the key for this tab and lets the pages load again. */
export function acceptKey(key: string): void {
  try {
    sessionStorage.setItem(KEY, key);
  } catch {
    /* storage disabled */
  }
  set({ prompting: false, message: '', generation: state.generation + 1 });
}

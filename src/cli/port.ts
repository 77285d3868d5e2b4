/**
 * The port `serve` listens on is checked before anything starts: a second
 * `npm start` on a busy port says so in one line and starts no run, watcher or
 * schedule (it once printed stack traces after starting runs).
 */
import { createServer } from 'node:net';
import { InputError } from '../errors';

/** A refusal for a listen error the user can fix, or null. */
export function listenError(err: unknown, port: number, host: string): InputError | null {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') return new InputError(`port ${port} is in use; set PORT`);
  if (code === 'EACCES') return new InputError(`port ${port} needs privileges this process lacks; set PORT`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new InputError(`cannot listen on ${host}: no such local address; set HOST`);
  return null;
}

/** Binds and releases the port once; throws listenError's refusal when it cannot be bound. */
export async function checkPortFree(port: number, host: string): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err) => reject(listenError(err, port, host) ?? err));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

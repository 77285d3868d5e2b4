/**
 * A TCP proxy between a Tidemark instance and a shared server (PostgreSQL, Redis),
 * so a test can make the server unreachable for one instance without touching the
 * server itself, which other test files may be using at the same moment.
 *
 *   cut()       refuse: established connections are destroyed, the port stops listening
 *   blackhole() hang: connections stay open (and new ones are accepted) but no byte is forwarded
 *   restore()   forward again, on the same port
 */
import net from 'node:net';

export type ProxyMode = 'open' | 'cut' | 'blackhole';

export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private _port = 0;
  private _mode: ProxyMode = 'open';
  /** Connections accepted since start: evidence that traffic goes through the proxy. */
  accepted = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  get port(): number {
    return this._port;
  }

  get mode(): ProxyMode {
    return this._mode;
  }

  async start(): Promise<number> {
    await this.listen(0);
    return this._port;
  }

  /** Destroys every connection and stops listening: clients see resets, then refusals. */
  async cut(): Promise<void> {
    this._mode = 'cut';
    const closed = this.closeServer();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Keeps connections open but forwards nothing: clients wait instead of failing. */
  async blackhole(): Promise<void> {
    this._mode = 'blackhole';
    if (!this.server) await this.listen(this._port);
  }

  /** Forwards again on the same port. Connections held by a blackhole are dropped first. */
  async restore(): Promise<void> {
    if (this._mode === 'blackhole') {
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
    }
    this._mode = 'open';
    if (!this.server) await this.listen(this._port);
  }

  async close(): Promise<void> {
    await this.cut();
  }

  private async listen(port: number): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    // The port was ours a moment ago; a lingering close may hold it briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, '127.0.0.1', () => {
            server.off('error', reject);
            resolve();
          });
        });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.server = server;
    this._port = (server.address() as net.AddressInfo).port;
  }

  private closeServer(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.accepted++;
    this.track(client);
    client.on('error', () => client.destroy());
    if (this._mode === 'blackhole') {
      client.on('data', () => undefined); // swallowed
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    this.track(upstream);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk) => {
        if (this._mode === 'open') to.write(chunk);
        // blackhole: the bytes are dropped, the connection stays open
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', end);
    upstream.on('close', end);
    client.on('close', end);
  }

  private track(s: net.Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }
}

// The loopback browser host: the built renderer over HTTP and the API over a WebSocket, bound to 127.0.0.1.
// Every request and socket must carry the per-launch token (query string once, then an HttpOnly SameSite=Strict
// cookie, or an Authorization: Bearer header for scripts); the Host and Origin headers must name this server, which
// stops DNS-rebinding and cross-site pages from reaching the API.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiHandlers } from '../../ipc/contract';
import { apiRpcHandler, consoleLogger, type Logger } from '../../ipc/dispatch';
import { serveRpc, type RpcPort } from '../../ipc/rpc';
import type { EventBus } from '../events';
import { contentSecurityPolicy } from './csp';
import { contentType, resolveStaticPath } from './staticFiles';
import { newToken, readCookie, tokenCookie, tokenCookieName, tokenMatches } from './token';

export interface BrowserHostOptions {
  handlers: ApiHandlers;
  events: EventBus;
  /** Folder of the built renderer (index.html and assets). */
  staticRoot: string;
  port?: number;
  token?: string;
  logger?: Logger;
}

export interface BrowserHost {
  url: string;
  /** The URL to open: carries the token once. */
  launchUrl: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/** Calls over the socket: ipc/rpc.ts requests `{ seq, type: channel, payload }`; events `{ event, payload }`. */

const MAX_MESSAGE_BYTES = 1 << 20;

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = options.token ?? newToken();
  const logger = options.logger ?? consoleLogger;
  let port = 0;

  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const hostAllowed = (req: http.IncomingMessage): boolean => allowedHosts().includes(req.headers.host ?? '');
  const originAllowed = (req: http.IncomingMessage): boolean => {
    const origin = req.headers.origin;
    return origin === undefined || allowedHosts().some((h) => origin === `http://${h}`);
  };
  const requestToken = (req: http.IncomingMessage, url: URL): string | null => {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return auth.slice(7);
    return url.searchParams.get('token') ?? readCookie(req.headers.cookie, tokenCookieName(port));
  };

  const refuse = (res: http.ServerResponse, status: number, message: string): void => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(message);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!hostAllowed(req)) return refuse(res, 403, 'Forbidden host');
    if (!tokenMatches(token, requestToken(req, url)))
      return refuse(res, 401, 'A valid ChangeMap token is required.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed');
    if (url.searchParams.has('token')) {
      // Trade the token in the address for a cookie, and drop it from the address bar and history.
      res.writeHead(303, {
        location: url.pathname,
        'set-cookie': tokenCookie(port, token),
        'cache-control': 'no-store',
      });
      return res.end();
    }
    const file = resolveStaticPath(options.staticRoot, url.pathname);
    if (!file) return refuse(res, 404, 'Not found');
    res.writeHead(200, {
      'content-type': contentType(file),
      'content-security-policy': contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (
      url.pathname !== '/api' ||
      !hostAllowed(req) ||
      !originAllowed(req) ||
      !tokenMatches(token, requestToken(req, url))
    ) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  const serveSocket = (ws: WebSocket): void => {
    const unsubscribe = options.events.subscribe((event, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }));
    });
    ws.on('close', unsubscribe);
    // A bad frame (reserved opcode, unmasked, over maxPayload) makes ws emit 'error' and close the socket; without a
    // listener that error would end the whole process, and with it the open project and any run.
    ws.on('error', (error) =>
      logger.warn(`Browser host: a socket was closed after a bad frame: ${error.message}`),
    );
    const port: RpcPort = {
      postMessage: (message) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
      onMessage(listener) {
        const receive = (data: unknown) => {
          let message: { seq?: unknown; type?: unknown };
          try {
            message = JSON.parse(String(data)) as typeof message;
            if (typeof message?.seq !== 'number' || typeof message.type !== 'string')
              throw new Error('no seq');
          } catch {
            const error = { code: 'VALIDATION', message: 'Malformed API message.' };
            if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ seq: null, ok: false, error }));
            return;
          }
          listener(message);
        };
        ws.on('message', receive);
        return () => ws.off('message', receive);
      },
    };
    serveRpc(port, apiRpcHandler(options.handlers, logger), { failureCode: 'INTERNAL' });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    launchUrl: `${url}?token=${token}`,
    token,
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

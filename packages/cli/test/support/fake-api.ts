/** A tiny HTTP server standing in for a Symphony node in tests. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a route handler returns: status, JSON body (or raw text) and headers. */
export type FakeAnswer = { status?: number; body?: unknown; text?: string };
/** A request as the fake server saw it. */
export type SeenRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
};
type Handler = (request: SeenRequest) => FakeAnswer | Promise<FakeAnswer>;

/** A running fake server. */
export type FakeApi = { url: string; requests: SeenRequest[]; close(): Promise<void> };

/** Starts a server on an ephemeral port; `routes` maps `METHOD /path` to a handler (404 error body otherwise). */
export async function startFakeApi(routes: Record<string, Handler>): Promise<FakeApi> {
  const requests: SeenRequest[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: raw ? JSON.parse(raw) : undefined,
    };
    requests.push(seen);
    const handler = routes[`${seen.method} ${seen.path}`];
    const answer: FakeAnswer = handler
      ? await handler(seen)
      : { status: 404, body: { code: 'not_found', message: `no route ${seen.method} ${seen.path}` } };
    const payload = answer.text ?? JSON.stringify(answer.body ?? {});
    res.writeHead(answer.status ?? 200, {
      'content-type': answer.text === undefined ? 'application/json' : 'text/plain',
    });
    res.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A URL where nothing listens: a server is started to get a free port, then closed. */
export async function refusedUrl(): Promise<string> {
  const api = await startFakeApi({});
  await api.close();
  return api.url;
}

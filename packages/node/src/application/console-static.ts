/**
 * Serves the web console's built files (`packages/console/dist`) at `/console`. Paths are resolved
 * inside the build folder only; unknown paths without an extension get `index.html` (the console
 * routes in the browser). Without a build, `/console` answers 503 and says how to build it.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/** Registers `GET /console` and `GET /console/*` over the build in `root`. */
export function registerConsoleStatic(app: FastifyInstance, root: string): void {
  const base = normalize(root);
  const sendFile = async (reply: FastifyReply, relative: string) => {
    const built = await stat(join(base, 'index.html')).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!built)
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(
          'The web console is not built. Run `npm run build -w @symphony/console` (npm install does it), then reload.',
        );
    const path = normalize(join(base, relative));
    if (path !== base && !path.startsWith(base + sep))
      return reply.code(404).send({ code: 'not_found', message: 'No such file.' });
    const isFile = await stat(path).then(
      (s) => s.isFile(),
      () => false,
    );
    const target = isFile ? path : extname(relative) === '' ? join(base, 'index.html') : undefined;
    if (target === undefined)
      return reply.code(404).send({ code: 'not_found', message: `No console file ${relative}.` });
    let body: Buffer;
    try {
      body = await readFile(target);
    } catch {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(
          'The web console is not built. Run `npm run build -w @symphony/console` (npm install does it), then reload.',
        );
    }
    const immutable = target.includes(`${sep}assets${sep}`);
    return reply
      .type(TYPES[extname(target)] ?? 'application/octet-stream')
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  };
  app.get('/console', { schema: { hide: true } }, (_request, reply) => reply.redirect('/console/'));
  app.get('/console/*', { schema: { hide: true } }, (request, reply) =>
    sendFile(reply, decodeURIComponent((request.params as { '*': string })['*'] || 'index.html')),
  );
}

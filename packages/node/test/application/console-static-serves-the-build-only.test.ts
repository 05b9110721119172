/** `/console` serves files of the console build and nothing outside it; routes in the browser fall back to index.html. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Fastify from 'fastify';
import { registerConsoleStatic } from '../../src/application/console-static.ts';

test('console files are served with their types; traversal and unknown files are 404; no build is a 503 that says how to build', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-static-'));
  const build = join(dir, 'dist');
  mkdirSync(join(build, 'assets'), { recursive: true });
  writeFileSync(join(build, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(build, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside the build');
  const app = Fastify();
  registerConsoleStatic(app, build);
  const missing = Fastify();
  registerConsoleStatic(missing, join(dir, 'not-built'));
  try {
    const redirect = await app.inject({ url: '/console' });
    assert.equal(redirect.statusCode, 302);
    assert.equal(redirect.headers.location, '/console/');
    const index = await app.inject({ url: '/console/' });
    assert.equal(index.statusCode, 200);
    assert.match(String(index.headers['content-type']), /text\/html/);
    const js = await app.inject({ url: '/console/assets/app.js' });
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers['content-type']), /javascript/);
    assert.match(String(js.headers['cache-control']), /immutable/);
    const route = await app.inject({ url: '/console/tasks' });
    assert.equal(route.body, '<!doctype html><title>console</title>');
    for (const url of ['/console/../secret.txt', '/console/%2e%2e/secret.txt', '/console/assets/none.js']) {
      const answer = await app.inject({ url });
      assert.notEqual(answer.statusCode, 200, url);
      assert.ok(!answer.body.includes('outside the build'), url);
    }
    const unbuilt = await missing.inject({ url: '/console/' });
    assert.equal(unbuilt.statusCode, 503);
    assert.match(unbuilt.body, /npm run build -w @symphony\/console/);
  } finally {
    await app.close();
    await missing.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

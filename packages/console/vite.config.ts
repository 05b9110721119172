/**
 * Builds the console into dist/, served by `symphony up` at /console. The protocol core and the API
 * schemas run in the browser as they are: `node:crypto` is replaced by a small shim over
 * @noble/hashes and @noble/ed25519 (SHA-256, Ed25519 verification), and `Buffer` by the `buffer` package.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  resolve: {
    alias: {
      'node:crypto': fileURLToPath(new URL('./src/shims/node-crypto.ts', import.meta.url)),
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/v1': 'http://127.0.0.1:7070', '/healthz': 'http://127.0.0.1:7070' } },
});

/** `Buffer` for the protocol core's hashing and Merkle code in the browser. Imported first by main.tsx. */
import { Buffer } from 'buffer';

(globalThis as { Buffer?: unknown }).Buffer ??= Buffer;

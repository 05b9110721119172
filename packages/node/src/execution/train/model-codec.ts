/**
 * The exact binary form of a model or an update: each float64 as 8 little-endian bytes, in
 * parameter order. Its hash (`modelHash`) is what rounds, signatures and the artifact name.
 */
import { modelHash } from '@symphony/protocol';

/** Float64 words to little-endian bytes (independent of the host's byte order). */
export function encodeFloats(values: Float64Array): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
  return out;
}

/** Little-endian bytes back to float64 words; throws on a length that is not a multiple of 8. */
export function decodeFloats(bytes: Uint8Array): Float64Array {
  if (bytes.length % 8 !== 0) throw new Error('a float64 array has a multiple of 8 bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

/** The hash of a parameter vector's exact bytes. */
export const hashOfParameters = (values: Float64Array) => modelHash(encodeFloats(values));

export const toBase64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
export const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

/** Key-name rules shared by the keyring adapters. */
import { PortError } from '../ports/errors.ts';
import { KEY_NAME_PATTERN, type KeyringErrorCode } from '../ports/keyring.ts';

/** Throws `invalid_key_name` unless `name` matches `KEY_NAME_PATTERN`. */
export function checkKeyName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !KEY_NAME_PATTERN.test(name)) {
    const shown = JSON.stringify(String(name)).slice(0, 80);
    throw new PortError<KeyringErrorCode>('invalid_key_name', `invalid key name ${shown}`);
  }
}

/** Orders keys by name (code-unit order, the same on every machine). */
export function compareNames(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The behaviour every `Keyring` adapter must have. `describeKeyringContract` registers a suite;
 * its factory is called once per test and returns an empty keyring.
 */
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { verifyEd25519 } from '../../src/adapters/ed25519.ts';
import { PortError } from '../../src/ports/errors.ts';
import type { Keyring } from '../../src/ports/keyring.ts';

/** An empty keyring for one test. */
export type KeyringFixture = {
  readonly subject: Keyring;
  /** For persistent adapters: a new, independent instance over the same storage. */
  readonly reopen?: () => Promise<Keyring>;
  cleanup(): Promise<void>;
};

const isCode = (code: string) => (e: unknown) => e instanceof PortError && e.code === code;

/** Verifies with `node:crypto` alone, from the raw public key, independently of the adapters' helper. */
function nodeVerify(publicKeyHex: string, data: Uint8Array, signatureHex: string): boolean {
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKeyHex, 'hex').toString('base64url') },
    format: 'jwk',
  });
  return verify(null, data, key, Buffer.from(signatureHex, 'hex'));
}

/** Registers the `Keyring` contract suite for one adapter. */
export function describeKeyringContract(name: string, factory: () => Promise<KeyringFixture>): void {
  describe(name, () => {
    let fx: KeyringFixture;
    let keyring: Keyring;
    beforeEach(async () => {
      fx = await factory();
      keyring = fx.subject;
    });
    afterEach(async () => {
      await fx?.cleanup();
    });

    it('creates a key once and returns the same key afterwards, even to concurrent callers', async () => {
      const first = await keyring.ensureKey('node');
      assert.match(first.publicKeyHex, /^[0-9a-f]{64}$/);
      assert.deepEqual(await keyring.ensureKey('node'), first);
      const racing = await Promise.all(Array.from({ length: 8 }, () => keyring.ensureKey('actor.racing')));
      assert.equal(new Set(racing.map((k) => k.publicKeyHex)).size, 1);
      assert.notEqual(racing[0]?.publicKeyHex, first.publicKeyHex);
      assert.equal(await keyring.publicKeyHex('node'), first.publicKeyHex);
    });

    it('signs so that node:crypto verifies against the public key', async () => {
      const { publicKeyHex } = await keyring.ensureKey('master-1');
      const data = new TextEncoder().encode('settlement root 3f2a…');
      const signature = await keyring.sign('master-1', data);
      assert.match(signature, /^[0-9a-f]{128}$/);
      assert.ok(nodeVerify(publicKeyHex, data, signature));
      assert.ok(verifyEd25519(publicKeyHex, data, signature));
      assert.equal(await keyring.sign('master-1', data), signature, 'Ed25519 signatures are deterministic');
      assert.ok(nodeVerify(publicKeyHex, new Uint8Array(0), await keyring.sign('master-1', new Uint8Array(0))));
    });

    it('produces signatures that fail on tampered data, a tampered signature or another key', async () => {
      const a = await keyring.ensureKey('a');
      const b = await keyring.ensureKey('b');
      const data = Uint8Array.from([1, 2, 3, 4, 5]);
      const signature = await keyring.sign('a', data);
      const tampered = Uint8Array.from(data);
      tampered[2] = 99;
      assert.equal(nodeVerify(a.publicKeyHex, tampered, signature), false);
      assert.equal(verifyEd25519(a.publicKeyHex, tampered, signature), false);
      const flipped = (signature.startsWith('0') ? '1' : '0') + signature.slice(1);
      assert.equal(nodeVerify(a.publicKeyHex, data, flipped), false);
      assert.equal(verifyEd25519(b.publicKeyHex, data, signature), false);
      assert.equal(verifyEd25519(a.publicKeyHex, data, 'not hex'), false);
    });

    it('rejects invalid key names everywhere and unknown keys with key_not_found', async () => {
      const invalid = ['', 'Node', '../escape', 'a/b', '.hidden', '-dash', 'a b', 'x'.repeat(65), 'ключ'];
      for (const name of invalid) {
        await assert.rejects(keyring.ensureKey(name), isCode('invalid_key_name'), `ensureKey ${name}`);
        await assert.rejects(keyring.sign(name, new Uint8Array(1)), isCode('invalid_key_name'), `sign ${name}`);
        await assert.rejects(keyring.publicKeyHex(name), isCode('invalid_key_name'), `publicKeyHex ${name}`);
      }
      await keyring.ensureKey('x'.repeat(64));
      await assert.rejects(keyring.sign('missing', new Uint8Array(1)), isCode('key_not_found'));
      await assert.rejects(keyring.publicKeyHex('missing'), isCode('key_not_found'));
      assert.deepEqual(
        (await keyring.list()).map((k) => k.name),
        ['x'.repeat(64)],
      );
    });

    it('lists every key with its public key, sorted by name', async () => {
      assert.deepEqual(await keyring.list(), []);
      const made = [await keyring.ensureKey('zeta'), await keyring.ensureKey('alpha'), await keyring.ensureKey('m.1')];
      assert.deepEqual(
        await keyring.list(),
        [...made].sort((x, y) => (x.name < y.name ? -1 : 1)),
      );
    });

    it('keeps keys across instances', async (t) => {
      if (!fx.reopen) {
        t.skip('this keyring keeps keys in process memory only');
        return;
      }
      const made = await keyring.ensureKey('persistent');
      const again = await fx.reopen();
      assert.deepEqual(await again.ensureKey('persistent'), made);
      const data = new TextEncoder().encode('after restart');
      assert.ok(nodeVerify(made.publicKeyHex, data, await again.sign('persistent', data)));
      assert.deepEqual(await again.list(), [made]);
    });
  });
}

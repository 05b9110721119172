/** The `Keyring` contract against every adapter (memory, file), and the file adapter's on-disk rules. */
import assert from 'node:assert/strict';
import { chmod, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FileKeyring } from '../../src/adapters/file-keyring.ts';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import { PortError } from '../../src/ports/errors.ts';
import { createTempDir, type TempDir } from '../support/services.ts';
import { describeKeyringContract } from './keyring-contract.ts';

describeKeyringContract('memory', async () => ({ subject: new MemoryKeyring(), cleanup: async () => {} }));

describeKeyringContract('file', async () => {
  const dir = await createTempDir('scs-keys-');
  return {
    subject: new FileKeyring({ dataDir: dir.path }),
    reopen: async () => new FileKeyring({ dataDir: dir.path }),
    cleanup: () => dir.cleanup(),
  };
});

describe('file (on disk)', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await createTempDir('scs-keys-');
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('writes PKCS#8 PEM files with mode 0600 in a 0700 directory, leaving no temporary files', async () => {
    const keyring = new FileKeyring({ dataDir: dir.path });
    await keyring.ensureKey('node');
    await Promise.all(Array.from({ length: 4 }, () => keyring.ensureKey('actor-1')));
    const keysDir = join(dir.path, 'keys');
    assert.equal((await stat(keysDir)).mode & 0o777, 0o700);
    assert.deepEqual((await readdir(keysDir)).sort(), ['actor-1.pem', 'node.pem']);
    for (const file of ['actor-1.pem', 'node.pem']) {
      assert.equal((await stat(join(keysDir, file))).mode & 0o777, 0o600, file);
      assert.match(
        await readFile(join(keysDir, file), 'utf8'),
        /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/,
      );
    }
  });

  it('gives two instances racing on one directory the same key', async () => {
    const a = new FileKeyring({ dataDir: dir.path });
    const b = new FileKeyring({ dataDir: dir.path });
    const keys = await Promise.all([a.ensureKey('shared'), b.ensureKey('shared'), a.ensureKey('shared')]);
    assert.equal(new Set(keys.map((k) => k.publicKeyHex)).size, 1);
  });

  it('tightens a key directory that others can read, and refuses a key file that others can read', async () => {
    const keyring = new FileKeyring({ dataDir: dir.path });
    await keyring.ensureKey('first');
    const keysDir = join(dir.path, 'keys');
    await chmod(keysDir, 0o755);
    await new FileKeyring({ dataDir: dir.path }).ensureKey('second');
    assert.equal((await stat(keysDir)).mode & 0o777, 0o700);
    await chmod(join(keysDir, 'second.pem'), 0o644);
    const fresh = new FileKeyring({ dataDir: dir.path });
    await assert.rejects(
      fresh.sign('second', new Uint8Array(1)),
      (e: unknown) => e instanceof PortError && e.code === 'key_unreadable',
    );
  });
});

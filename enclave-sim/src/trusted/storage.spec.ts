import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { FileSealedStorage } from './file-sealed-storage.js';
import { loadOrCreatePlatformSecret } from './platform-secret.js';

describe('enclave process storage', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-storage-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('FileSealedStorage', () => {
    it('writes atomically, keeps one backup generation and leaves no temp file', async () => {
      const storage = await FileSealedStorage.open(path.join(tmp, 'data'));
      assert.equal(await storage.read('a'), undefined);
      await storage.write('a', Uint8Array.of(1));
      await storage.write('a', Uint8Array.of(2));
      await storage.write('a', Uint8Array.of(3));
      assert.deepEqual(await storage.read('a'), Uint8Array.of(3));
      assert.deepEqual(await storage.readBackup('a'), Uint8Array.of(2));
      assert.deepEqual(fs.readdirSync(path.join(tmp, 'data')).sort(), ['a', 'a.bak', 'enclave.lock']);
      assert.equal(fs.statSync(path.join(tmp, 'data', 'a')).mode & 0o777, 0o600);
      await storage.close();
    });

    it('locks the data directory against a second opener and takes over stale locks', async () => {
      const dir = path.join(tmp, 'data');
      const storage = await FileSealedStorage.open(dir);
      await assert.rejects(FileSealedStorage.open(dir), { code: 'DATA_DIR_LOCKED' });
      await storage.close();
      fs.writeFileSync(path.join(dir, 'enclave.lock'), '2147483646\n'); // no such pid
      const warnings: string[] = [];
      const again = await FileSealedStorage.open(dir, (level, _c, message) => level === 'warn' && warnings.push(message));
      assert.deepEqual(warnings, ['taking over stale data directory lock']);
      await assert.rejects(again.write('enclave.lock', Uint8Array.of(1)), { code: 'INVALID_ARGUMENT' });
      await again.close();
    });

    it('refuses names that are not plain file names', async () => {
      const storage = await FileSealedStorage.open(tmp);
      await assert.rejects(storage.write('../escape', Uint8Array.of(1)), { code: 'INVALID_ARGUMENT' });
      await assert.rejects(storage.read('.hidden'), { code: 'INVALID_ARGUMENT' });
      await storage.close();
    });
  });

  describe('platform secret', () => {
    it('is created once with mode 0600 and then reused', async () => {
      const file = path.join(tmp, 'secret', 'platform-secret');
      const first = await loadOrCreatePlatformSecret(file, path.join(tmp, 'data'));
      assert.equal(first.length, 32);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(await loadOrCreatePlatformSecret(file, path.join(tmp, 'data')), first);
    });

    it('must live outside the data directory', async () => {
      await assert.rejects(loadOrCreatePlatformSecret(path.join(tmp, 'data', 'ps'), path.join(tmp, 'data')), {
        code: 'PLATFORM_SECRET_INVALID',
      });
    });

    it('rejects a wrong size or group/other-readable secret', async () => {
      const file = path.join(tmp, 'ps');
      fs.writeFileSync(file, Buffer.alloc(16), { mode: 0o600 });
      await assert.rejects(loadOrCreatePlatformSecret(file, path.join(tmp, 'data')), /has 16 bytes/);
      fs.writeFileSync(file, Buffer.alloc(32));
      fs.chmodSync(file, 0o644);
      await assert.rejects(loadOrCreatePlatformSecret(file, path.join(tmp, 'data')), /chmod 600/);
    });
  });
});

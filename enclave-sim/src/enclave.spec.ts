import assert from 'node:assert/strict';
import { createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

import Olm from '@matrix-org/olm';
import {
  buildReportData,
  ed25519PrivateKeyFromSeed,
  ed25519PublicKeyFromRaw,
  ed25519RawPublicKey,
  generateShieldingKeyPair,
  shieldEncrypt,
  shieldingKeyFromJson,
  signTrustedCall,
  spkiSha256,
  verifyQuote,
  verifyRaTlsCertificate,
} from '@sealbridge/chain-types';

import { devMrsigner, olmPreKeyMessageId } from './index.js';
import { openTestEnclave, TEST_MRENCLAVE, unsealEnclaveKeys, type TestEnclaveOptions } from './testing-in-process.js';
import type { TrustedEnclave } from './trusted/enclave.js';
import type { EnclaveLogLevel } from './trusted/log.js';
import { initOlm } from './trusted/olm-adapter.js';
import { Sealer } from './trusted/sealing.js';

interface LogEntry {
  level: EnclaveLogLevel;
  message: string;
  fields?: Record<string, unknown>;
}

/**
 * The enclave's key holder end to end, in this process: created as the enclave runtime's `init` creates it (file
 * storage with its lock, platform secret, dev attestation service) with a fixed MRENCLAVE standing in for the
 * loader's measurement of the bundle.
 */
describe('TrustedEnclave (simulated TEE end to end)', function () {
  this.timeout(60_000);
  let tmp: string;
  let dataDir: string;
  let secretPath: string;
  let logs: LogEntry[];
  let enclave: TrustedEnclave | undefined;
  let user: Olm.Account;

  const open = (extra: Partial<TestEnclaveOptions> = {}): Promise<TrustedEnclave> =>
    openTestEnclave({
      dataDir,
      platformSecretPath: secretPath,
      decryptThreads: 2,
      log: (level, _component, message, fields) => logs.push({ level, message, fields }),
      ...extra,
    });
  const handle = (): TrustedEnclave => enclave!;
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-enclave-'));
    dataDir = path.join(tmp, 'data');
    secretPath = path.join(tmp, 'platform', 'secret');
    logs = [];
    enclave = await open();
    await initOlm();
    user = new Olm.Account();
    user.create();
  });

  after(async () => {
    await enclave?.close();
    user?.free();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function preKeyMessage(oneTimeKey: string, plaintext: string): { senderIdentityKey: string; oneTimeKey: string; ciphertext: string } {
    const session = new Olm.Session();
    try {
      session.create_outbound(user, handle().olmIdentityKey(), oneTimeKey);
      const message = session.encrypt(plaintext);
      assert.equal(message.type, 0);
      return { senderIdentityKey: JSON.parse(user.identity_keys()).curve25519, oneTimeKey, ciphertext: message.body };
    } finally {
      session.free();
    }
  }

  it('has the MRENCLAVE it was created with and the dev vendor’s MRSIGNER; logs no error at a first start', () => {
    assert.deepEqual(handle().mrenclave, TEST_MRENCLAVE);
    assert.deepEqual(handle().mrsigner, devMrsigner());
    handle().mrenclave.fill(0);
    assert.deepEqual(handle().mrenclave, TEST_MRENCLAVE, 'a copy, not the identity itself');
    assert.deepEqual(logs.filter((l) => l.level === 'warn' || l.level === 'error'), []);
  });

  describe('shielding', () => {
    it('decrypts a ciphertext made from the Integritee JSON public key through the thread pool', async () => {
      const json = handle().shieldingPublicKeyJson();
      assert.deepEqual(JSON.parse(json).e, [1, 0, 0, 1]);
      const plaintext = new Uint8Array(randomBytes(1000)); // 4 RSA blocks
      const ciphertext = shieldEncrypt(shieldingKeyFromJson(json), plaintext);
      assert.deepEqual(await handle().decryptShielded(ciphertext), plaintext);
    });

    it('decrypts concurrent single calls and batches with per-item errors', async () => {
      const key = handle().shieldingPublicKey();
      const plaintexts = Array.from({ length: 40 }, (_, i) => text(`call ${i}`));
      const singles = await Promise.all(plaintexts.map((p) => handle().decryptShielded(shieldEncrypt(key, p))));
      assert.deepEqual(singles, plaintexts);

      const foreign = shieldEncrypt(generateShieldingKeyPair().publicKey, text('not for us'));
      const batch = [...plaintexts.map((p) => shieldEncrypt(key, p)), new Uint8Array(385), foreign];
      const results = await handle().decryptShieldedBatch(batch);
      assert.equal(results.length, batch.length);
      results.slice(0, 40).forEach((r, i) => assert.deepEqual(r.ok && r.plaintext, plaintexts[i]));
      for (const r of results.slice(40)) assert.ok(!r.ok && r.error.code === 'DECRYPT_FAILED');
      await assert.rejects(handle().decryptShielded(foreign), { code: 'DECRYPT_FAILED' });
    });
    it('checks call signatures on the decryption threads when asked to', async () => {
      const key = handle().shieldingPublicKey();
      const shard = new Uint8Array(32).fill(7);
      const seed = randomBytes(32);
      const signer = ed25519PrivateKeyFromSeed(seed);
      const account = ed25519RawPublicKey(signer);
      const pair = { type: 'ed25519', sign: (m: Uint8Array) => new Uint8Array(sign(null, m, signer)) };
      const call = (forShard: Uint8Array) => Uint8Array.from([0, ...signTrustedCall(pair, { noop: account }, 0, handle().mrenclave, forShard)]);
      const plaintexts = [call(shard), call(new Uint8Array(32)), text('not an operation')];
      const results = await handle().decryptShieldedBatch(plaintexts.map((p) => shieldEncrypt(key, p)), { verifyCallsForShard: shard });
      assert.deepEqual(results.map((r) => r.ok && r.plaintext), plaintexts);
      assert.deepEqual(results.map((r) => r.ok && r.callSignatureValid), [true, false, false]);
      const unchecked = await handle().decryptShieldedBatch([shieldEncrypt(key, plaintexts[0]!)]);
      assert.equal(unchecked[0]!.ok && unchecked[0]!.callSignatureValid, undefined, 'not checked unless asked');
      await assert.rejects(handle().decryptShieldedBatch([], { verifyCallsForShard: new Uint8Array(31) }), { code: 'INVALID_ARGUMENT' });
    });
  });

  describe('signing and attestation', () => {
    it('signs payloads with the enclave account key', () => {
      const payload = text('extrinsic payload');
      const signature = handle().sign(payload);
      assert.ok(verify(null, payload, ed25519PublicKeyFromRaw(handle().signerPublicKey()), signature));
    });

    it('produces quotes that verify and bind the signer', () => {
      const reportData = buildReportData(handle().signerPublicKey(), text(handle().shieldingPublicKeyJson()));
      const quote = verifyQuote(handle().quote(reportData), { expectedMrenclave: handle().mrenclave, maxAgeMs: 60_000 });
      assert.deepEqual(quote.reportData, reportData);
      assert.deepEqual(quote.mrsigner, handle().mrsigner);
      assert.equal(quote.buildMode, 'Debug');
      assert.throws(() => handle().quote(new Uint8Array(64)), { code: 'INVALID_ARGUMENT' });
    });

    it('serves an RA-TLS certificate that binds its key, usable by a TLS server', async () => {
      const { certPem, keyPem } = handle().tlsCredentials();
      const verified = verifyRaTlsCertificate(certPem, { expectedMrenclave: handle().mrenclave, maxAgeMs: 60_000 });
      assert.deepEqual(verified.signer, handle().signerPublicKey());
      assert.deepEqual(spkiSha256(createPublicKey(keyPem)), spkiSha256(verified.publicKey));

      const server = tls.createServer({ cert: certPem, key: keyPem }, (socket) => socket.end('hi'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as { port: number };
        const peerPem = await new Promise<string>((resolve, reject) => {
          // The client trusts the certificate because of the quote, not because of a CA.
          const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
            resolve(socket.getPeerX509Certificate()!.toString());
            socket.destroy();
          });
          socket.on('error', reject);
        });
        assert.deepEqual(verifyRaTlsCertificate(peerPem, { expectedMrenclave: handle().mrenclave }).signer, handle().signerPublicKey());
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  describe('sealing ECALLs', () => {
    it('unseals its own blobs; MRENCLAVE policy breaks on an enclave change, MRSIGNER survives', () => {
      const secret = text('application secret');
      const strict = handle().seal('app-data', secret);
      const portable = handle().seal('app-data', secret, 'MRSIGNER');
      assert.deepEqual(handle().unseal('app-data', strict), secret);
      assert.throws(() => handle().unseal('other', strict), { code: 'UNSEAL_FAILED' });

      // A rebuilt enclave = same platform, same vendor, different MRENCLAVE ("app/" is the ECALL purpose prefix).
      const rebuilt = new Sealer(fs.readFileSync(secretPath), { mrenclave: new Uint8Array(32), mrsigner: handle().mrsigner });
      assert.throws(() => rebuilt.unseal('app/app-data', strict), { code: 'UNSEAL_FAILED' });
      assert.deepEqual(rebuilt.unseal('app/app-data', portable), secret);
    });

    it('cannot be used by the host to mint the enclave’s own sealed files', () => {
      const forged = handle().seal('signing-key.sealed', new Uint8Array(32), 'MRSIGNER');
      const same = new Sealer(fs.readFileSync(secretPath), { mrenclave: handle().mrenclave, mrsigner: handle().mrsigner });
      assert.throws(() => same.unseal('enclave/signing-key.sealed', forged), { code: 'UNSEAL_FAILED' });
    });
  });

  describe('Olm', () => {
    it('decrypts a pre-key message to one of its one-time keys exactly once', async () => {
      const keys = await handle().olmGenerateOneTimeKeys(3);
      await handle().olmMarkKeysAsPublished();
      assert.equal(handle().olmOneTimeKeyCount(), 3);
      const [otk1, otk2] = Object.values(keys) as [string, string];

      const message = preKeyMessage(otk1, 'SECRET=42');
      assert.equal(new TextDecoder().decode(await handle().olmDecryptPreKey(message)), 'SECRET=42');
      assert.equal(handle().olmOneTimeKeyCount(), 2, 'the used one-time key is gone');

      await assert.rejects(handle().olmDecryptPreKey(message), { code: 'OLM_UNKNOWN_ONE_TIME_KEY' });
      await assert.rejects(handle().olmDecryptPreKey({ ...message, oneTimeKey: otk2 }), { code: 'OLM_BAD_MESSAGE' });
    });

    it('rejects a wrong sender or a foreign one-time key without burning ours', async () => {
      const [otk] = Object.values(await handle().olmGenerateOneTimeKeys(1)) as [string];
      const before = handle().olmOneTimeKeyCount();
      const message = preKeyMessage(otk, 'x');
      const impostor = new Olm.Account();
      impostor.create();
      try {
        const impostorKey = JSON.parse(impostor.identity_keys()).curve25519 as string;
        await assert.rejects(handle().olmDecryptPreKey({ ...message, senderIdentityKey: impostorKey }), { code: 'OLM_BAD_MESSAGE' });
        assert.equal(handle().olmOneTimeKeyCount(), before);

        impostor.generate_one_time_keys(1);
        const foreignOtk = Object.values(JSON.parse(impostor.one_time_keys()).curve25519)[0] as string;
        await assert.rejects(handle().olmDecryptPreKey(preKeyMessage(foreignOtk, 'y')), { code: 'OLM_UNKNOWN_ONE_TIME_KEY' });
      } finally {
        impostor.free();
      }
      assert.equal(new TextDecoder().decode(await handle().olmDecryptPreKey(message)), 'x');
    });

    it('retains a plaintext sealed with its consumed key until released, so a crashed host can ask again', async () => {
      const [otk] = Object.values(await handle().olmGenerateOneTimeKeys(1)) as [string];
      const message = preKeyMessage(otk, 'TOKEN=abc');
      const id = olmPreKeyMessageId(message.ciphertext);
      assert.equal(new TextDecoder().decode(await handle().olmDecryptPreKey(message, { retain: true })), 'TOKEN=abc');
      assert.deepEqual(handle().olmRetainedPreKeyMessages(), [id]);
      assert.equal(new TextDecoder().decode(await handle().olmDecryptPreKey(message, { retain: true })), 'TOKEN=abc', 'answered again');
      await assert.rejects(handle().olmDecryptPreKey(message), { code: 'OLM_UNKNOWN_ONE_TIME_KEY' }, 'only retained lookups see it');
      await handle().olmReleasePreKeyMessages([id, 'unknown']);
      assert.deepEqual(handle().olmRetainedPreKeyMessages(), []);
      await assert.rejects(handle().olmDecryptPreKey(message, { retain: true }), { code: 'OLM_UNKNOWN_ONE_TIME_KEY' });
    });

    it('discards a one-time key without a message', async () => {
      const [otk] = Object.values(await handle().olmGenerateOneTimeKeys(1)) as [string];
      const before = handle().olmOneTimeKeyCount();
      assert.equal(await handle().olmDiscardOneTimeKey(otk), true);
      assert.equal(handle().olmOneTimeKeyCount(), before - 1);
      assert.equal(await handle().olmDiscardOneTimeKey(otk), false);
      await assert.rejects(handle().olmDecryptPreKey(preKeyMessage(otk, 'z')), { code: 'OLM_UNKNOWN_ONE_TIME_KEY' });
    });

    it('rejects bad arguments and refuses to overfill libolm’s one-time key store', async () => {
      await assert.rejects(handle().olmGenerateOneTimeKeys(0), { code: 'INVALID_ARGUMENT' });
      await handle().olmGenerateOneTimeKeys(50);
      await assert.rejects(handle().olmGenerateOneTimeKeys(50), /capacity of 100/);
      await assert.rejects(handle().olmDecryptPreKey({ senderIdentityKey: 'a', oneTimeKey: 'b', ciphertext: 'AAAA' }), {
        code: 'OLM_BAD_MESSAGE',
      });
    });
  });

  describe('Omni keys', () => {
    it('gives 32 bytes per (store, identity), the same on every request', async () => {
      const a = text('worker-a');
      const [k1, k2] = await Promise.all([handle().getOmniKey('sapphire-testnet', a), handle().getOmniKey('sapphire-testnet', a)]);
      assert.equal(k1.length, 32);
      assert.deepEqual(k1, k2);
      assert.notDeepEqual(await handle().getOmniKey('sapphire-testnet', text('worker-b')), k1);
      assert.notDeepEqual(await handle().getOmniKey('sapphire-mainnet', a), k1);
      await assert.rejects(handle().getOmniKey('', a), { code: 'INVALID_ARGUMENT' });
    });
  });

  describe('persistence', () => {
    it('keeps no secret in clear in the data directory', async () => {
      const { signingSeed, shieldingPrivateKey } = await unsealEnclaveKeys(dataDir, secretPath);
      const jwk = shieldingPrivateKey.export({ format: 'jwk' });
      const d = Buffer.from(jwk.d!, 'base64url');
      // The hook returned the real key: its seed signs for the enclave's account.
      const bySeed = sign(null, text('m'), ed25519PrivateKeyFromSeed(signingSeed));
      assert.ok(verify(null, text('m'), ed25519PublicKeyFromRaw(handle().signerPublicKey()), bySeed));
      const omni = await handle().getOmniKey('sapphire-testnet', text('worker-a'));
      const needles: Array<[string, Buffer]> = [
        ['PEM marker', Buffer.from('PRIVATE KEY')],
        ['JWK "d"', Buffer.from('"d"')],
        ['ed25519 seed', Buffer.from(signingSeed)],
        ['RSA d (big-endian)', d.subarray(0, 32)],
        ['RSA d (little-endian)', Buffer.from(d).reverse().subarray(0, 32)],
        ['RSA prime p', Buffer.from(jwk.p!, 'base64url').subarray(0, 32)],
        ['Omni key', Buffer.from(omni)],
        ['Olm pickle marker', Buffer.from('curve25519')],
      ];
      const files = fs.readdirSync(dataDir);
      assert.ok(files.includes('shielding-key.sealed') && files.includes('olm-account.sealed.bak'));
      for (const file of files) {
        const bytes = fs.readFileSync(path.join(dataDir, file));
        for (const [what, needle] of needles) assert.equal(bytes.indexOf(needle), -1, `${what} found in ${file}`);
      }

    });

    it('reopens with the same keys, Olm account and Omni keys', async () => {
      const before = {
        json: handle().shieldingPublicKeyJson(),
        signer: handle().signerPublicKey(),
        olm: handle().olmIdentityKey(),
        omni: await handle().getOmniKey('sapphire-testnet', text('worker-a')),
        mrenclave: handle().mrenclave,
      };
      const [pending, retainedKey] = Object.values(await handle().olmGenerateOneTimeKeys(2)) as [string, string];
      const retained = preKeyMessage(retainedKey, 'kept');
      await handle().olmDecryptPreKey(retained, { retain: true });
      await handle().close();
      await assert.rejects(handle().decryptShielded(new Uint8Array(384)), { code: 'ENCLAVE_CLOSED' });

      enclave = await open();
      assert.equal(handle().shieldingPublicKeyJson(), before.json);
      assert.deepEqual(handle().signerPublicKey(), before.signer);
      assert.equal(handle().olmIdentityKey(), before.olm);
      assert.deepEqual(await handle().getOmniKey('sapphire-testnet', text('worker-a')), before.omni);
      assert.deepEqual(handle().mrenclave, before.mrenclave);
      const ct = shieldEncrypt(shieldingKeyFromJson(before.json), text('after restart'));
      assert.deepEqual(await handle().decryptShielded(ct), text('after restart'));
      assert.equal(new TextDecoder().decode(await handle().olmDecryptPreKey(preKeyMessage(pending, 'late'))), 'late');
      assert.deepEqual(handle().olmRetainedPreKeyMessages(), [olmPreKeyMessageId(retained.ciphertext)]);
      assert.equal(new TextDecoder().decode(await handle().olmDecryptPreKey(retained, { retain: true })), 'kept');
    });

    it('cannot be opened twice at the same time', async () => {
      await assert.rejects(open(), { code: 'DATA_DIR_LOCKED' });
    });

    it('stops on a key file that does not unseal and never regenerates it', async () => {
      await handle().close();
      const file = path.join(dataDir, 'signing-key.sealed');
      const original = fs.readFileSync(file);
      const tampered = Buffer.from(original);
      tampered[tampered.length - 1]! ^= 1;
      fs.writeFileSync(file, tampered);
      try {
        await assert.rejects(open(), (e: Error & { code?: string }) => e.code === 'UNSEAL_FAILED' && e.message.includes('signing-key.sealed'));
        assert.deepEqual(fs.readFileSync(file), tampered, 'the key file was not replaced');
        assert.ok(!fs.existsSync(`${file}.bak`));
      } finally {
        fs.writeFileSync(file, original);
      }
    });

    it('cannot be opened with another platform secret', async () => {
      await assert.rejects(open({ platformSecretPath: path.join(tmp, 'other-secret') }), { code: 'UNSEAL_FAILED' });
    });

    it('falls back to the backup of a corrupted file and says so', async () => {
      const file = path.join(dataDir, 'olm-account.sealed');
      fs.writeFileSync(file, Buffer.from('garbage'));
      logs = [];
      enclave = await open();
      const warning = logs.find((l) => l.level === 'warn');
      assert.equal(warning?.fields?.file, 'olm-account.sealed');
      assert.match(String(warning?.fields?.reason), /cannot unseal/);
    });
  });
});

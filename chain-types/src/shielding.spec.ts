// § numbers in this file refer to docs/integritee-protocol.md.
import assert from 'node:assert/strict';
import { constants, generateKeyPair, publicEncrypt, webcrypto, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { BN } from '@polkadot/util';

import { bytes, toHex } from './test/helpers.js';
import {
  RSA_BLOCK_BYTES,
  RSA_PLAINTEXT_CHUNK_BYTES,
  ShieldingError,
  decodeRpcReturnValue,
  decodeShieldingKeyValue,
  encodeShieldingKeyValue,
  generateShieldingKeyPair,
  rpcOk,
  sealbridgeRegistry,
  shieldDecrypt,
  shieldEncrypt,
  shieldingKeyFromJson,
  shieldingKeyToJson,
} from './index.js';

const isShielding = (code: string) => (e: unknown) => e instanceof ShieldingError && e.code === code;
const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 1) & 0xff);

/** What `@encointer/worker-api@0.14.2` webCryptoRSA.js does with the JSON key: BN(LE) → big-endian → base64url JWK. */
async function importLikeEncointer(json: string): Promise<webcrypto.CryptoKey> {
  const { n, e } = JSON.parse(json) as { n: number[]; e: number[] };
  const b64url = (le: number[]) => Buffer.from(new BN(le, 'le').toArray()).toString('base64url');
  const jwk = { kty: 'RSA', n: b64url(n), e: b64url(e), alg: 'RSA-OAEP-256', ext: true };
  return webcrypto.subtle.importKey('jwk', jwk, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
}

type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };

describe('shielding', () => {
  let keys: KeyPair;
  let other: KeyPair;
  let rsa2048: KeyPair;

  before(async () => {
    // The extra keys are generated on the libuv pool while the synchronous generateShieldingKeyPair runs.
    const generate = promisify(generateKeyPair);
    const extra = Promise.all([
      generate('rsa', { modulusLength: 3072, publicExponent: 0x01000001 }),
      generate('rsa', { modulusLength: 2048 }),
    ]);
    keys = generateShieldingKeyPair();
    [other, rsa2048] = await extra;
  });

  describe('shielding key (§2.5)', () => {

    it('serialises like serde: {"n":[384 LE bytes],"e":[4 LE bytes]} with e = 0x01000001', () => {
      const json = shieldingKeyToJson(keys.publicKey);
      assert.match(json, /^\{"n":\[(\d{1,3},){383}\d{1,3}\],"e":\[1,0,0,1\]\}$/);
      const { n } = JSON.parse(json) as { n: number[] };
      const jwkN = Buffer.from(keys.publicKey.export({ format: 'jwk' }).n!, 'base64url');
      assert.deepEqual(Buffer.from(n), Buffer.from(jwkN).reverse());
      assert.equal(keys.publicKey.asymmetricKeyDetails?.publicExponent, 0x01000001n);
      assert.equal(shieldingKeyToJson(keys.privateKey), json);
    });

    it('parses its own JSON back to the same key', () => {
      const json = shieldingKeyToJson(keys.publicKey);
      const parsed = shieldingKeyFromJson(json);
      assert.deepEqual(parsed.export({ format: 'jwk' }), keys.publicKey.export({ format: 'jwk' }));
    });

    it('wraps the JSON as a SCALE String inside RpcReturnValue.value (double length prefix)', () => {
      const json = shieldingKeyToJson(keys.publicKey);
      const value = encodeShieldingKeyValue(json);
      const prefix = (json.length << 2) | 1; // 2-byte compact: JSON is ~1.4 k characters
      assert.deepEqual([...value.subarray(0, 2)], [prefix & 0xff, prefix >> 8]);
      assert.equal(Buffer.from(value.subarray(2)).toString(), json);

      const result = rpcOk(value);
      const outer = ((json.length + 2) << 2) | 1;
      assert.deepEqual([...result.subarray(0, 4)], [outer & 0xff, outer >> 8, prefix & 0xff, prefix >> 8]);
      assert.deepEqual([...result.subarray(-2)], [0, 0]);
      assert.equal(decodeShieldingKeyValue(decodeRpcReturnValue(result).value), json);

      // The JS client reads `createType('String', rrv.value)` without stripping the inner prefix, then substring(2).
      const rrv = sealbridgeRegistry.createType('RpcReturnValue', result) as unknown as { value: unknown };
      const jsText = sealbridgeRegistry.createType('String', rrv.value).toString();
      assert.equal(jsText.substring(2), json);
    });

    it('interoperates with WebCrypto RSA-OAEP/SHA-256 keyed from the JSON like the encointer client', async () => {
      const webKey = await importLikeEncointer(shieldingKeyToJson(keys.publicKey));
      const top = pattern(151); // size of a direct_call(balance_transfer) TOP
      const ciphertext = new Uint8Array(await webcrypto.subtle.encrypt({ name: 'RSA-OAEP' }, webKey, top));
      assert.equal(ciphertext.length, RSA_BLOCK_BYTES);
      assert.deepEqual(shieldDecrypt(keys.privateKey, ciphertext), top);
    });

    it('accepts a single block whose leading zero bytes were stripped (BN quirk of the JS client)', () => {
      const plaintext = pattern(40);
      let ciphertext: Buffer;
      do {
        ciphertext = publicEncrypt({ key: keys.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, plaintext);
      } while (ciphertext[0] !== 0);
      const stripped = new Uint8Array(new BN(ciphertext).toArray());
      assert.ok(stripped.length < RSA_BLOCK_BYTES);
      assert.deepEqual(shieldDecrypt(keys.privateKey, stripped), plaintext);
    });

    it('rejects malformed key JSON and values', () => {
      const json = JSON.parse(shieldingKeyToJson(keys.publicKey)) as { n: number[]; e: number[] };
      const bad = isShielding('SHIELDING_BAD_KEY_JSON');
      assert.throws(() => shieldingKeyFromJson('not json'), bad);
      assert.throws(() => shieldingKeyFromJson('null'), bad);
      assert.throws(() => shieldingKeyFromJson(JSON.stringify({ n: json.n.slice(1), e: json.e })), bad);
      assert.throws(() => shieldingKeyFromJson(JSON.stringify({ n: json.n, e: [1, 0, 1] })), bad);
      assert.throws(() => shieldingKeyFromJson(JSON.stringify({ n: json.n.map((b, i) => (i === 0 ? 256 : b)), e: json.e })), bad);
      assert.throws(() => shieldingKeyFromJson(JSON.stringify({ e: json.e })), bad);
      // A 384-byte array whose top byte is zero is a smaller modulus, not RSA-3072.
      assert.throws(() => shieldingKeyFromJson(JSON.stringify({ n: json.n.map((b, i) => (i === 383 ? 0 : b)), e: json.e })), isShielding('SHIELDING_BAD_KEY'));
      const value = encodeShieldingKeyValue(shieldingKeyToJson(keys.publicKey));
      assert.throws(() => decodeShieldingKeyValue(value.subarray(0, -1)), isShielding('SHIELDING_BAD_KEY_VALUE'));
      assert.throws(() => decodeShieldingKeyValue(bytes('08c328')), isShielding('SHIELDING_BAD_KEY_VALUE'));
    });
  });

  describe('shieldEncrypt / shieldDecrypt (§4)', () => {

    it('chunks plaintext into 318-byte pieces, one 384-byte block each', () => {
      assert.equal(RSA_PLAINTEXT_CHUNK_BYTES, 384 - 2 * 32 - 2);
      for (const [size, blocks] of [[1, 1], [318, 1], [319, 2], [636, 2], [637, 3]] as const) {
        const plaintext = pattern(size);
        const ciphertext = shieldEncrypt(keys.publicKey, plaintext);
        assert.equal(ciphertext.length, blocks * RSA_BLOCK_BYTES, `${size} bytes`);
        assert.deepEqual(shieldDecrypt(keys.privateKey, ciphertext), plaintext);
      }
    });

    it('decrypts each block independently (blocks are plain OAEP, no chaining)', () => {
      const plaintext = pattern(400);
      const ciphertext = shieldEncrypt(keys.publicKey, plaintext);
      assert.deepEqual(shieldDecrypt(keys.privateKey, ciphertext.subarray(RSA_BLOCK_BYTES)), plaintext.subarray(RSA_PLAINTEXT_CHUNK_BYTES));
    });

    it('rejects ciphertext lengths that are not a multiple of 384', () => {
      const ciphertext = shieldEncrypt(keys.publicKey, pattern(400));
      const badLength = isShielding('SHIELDING_BAD_CIPHERTEXT_LENGTH');
      assert.throws(() => shieldDecrypt(keys.privateKey, ciphertext.subarray(0, 385)), badLength);
      assert.throws(() => shieldDecrypt(keys.privateKey, ciphertext.subarray(0, 767)), badLength);
      assert.throws(() => shieldDecrypt(keys.privateKey, new Uint8Array(0)), badLength);
    });

    it('rejects ciphertext for another key or with a flipped bit', () => {
      const ciphertext = shieldEncrypt(other.publicKey, pattern(10));
      assert.throws(() => shieldDecrypt(keys.privateKey, ciphertext), isShielding('SHIELDING_DECRYPT_FAILED'));
      const flipped = shieldEncrypt(keys.publicKey, pattern(10));
      flipped[100] ^= 1;
      assert.throws(() => shieldDecrypt(keys.privateKey, flipped), isShielding('SHIELDING_DECRYPT_FAILED'));
    });

    it('rejects wrong keys and empty plaintext', () => {
      const badKey = isShielding('SHIELDING_BAD_KEY');
      assert.throws(() => shieldEncrypt(rsa2048.publicKey, pattern(10)), badKey);
      assert.throws(() => shieldDecrypt(rsa2048.privateKey, new Uint8Array(384)), badKey);
      assert.throws(() => shieldDecrypt(keys.publicKey, new Uint8Array(384)), badKey);
      assert.throws(() => shieldingKeyToJson(rsa2048.publicKey), badKey);
      assert.throws(() => shieldEncrypt(keys.publicKey, new Uint8Array(0)), isShielding('SHIELDING_EMPTY_PLAINTEXT'));
      assert.equal(toHex(shieldDecrypt(keys.privateKey, shieldEncrypt(keys.privateKey, bytes('ab')))), '0xab');
    });
  });
});

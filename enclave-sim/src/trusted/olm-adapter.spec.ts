import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import Olm from '@matrix-org/olm';

import { OlmAccount, initOlm, preKeyMessageOneTimeKey } from './olm-adapter.js';

describe('trusted/olm-adapter', () => {
  before(() => initOlm());

  it('does not let libolm wipe the caller’s pickle key', () => {
    const key = new Uint8Array(randomBytes(32));
    const copy = key.slice();
    const account = OlmAccount.create();
    try {
      const first = account.pickle(key);
      const second = account.pickle(key);
      assert.deepEqual(key, copy);
      for (const pickle of [first, second]) OlmAccount.unpickle(key, pickle).free();
      assert.throws(() => OlmAccount.unpickle(new Uint8Array(32), second), { code: 'SEALED_KEY_INVALID' });
    } finally {
      account.free();
    }
  });

  it('reads the one-time key a pre-key message is addressed to', () => {
    const receiver = OlmAccount.create();
    const sender = new Olm.Account();
    sender.create();
    const session = new Olm.Session();
    try {
      const [otk] = Object.values(receiver.generateOneTimeKeys(1)) as [string];
      session.create_outbound(sender, receiver.identityKey(), otk);
      assert.equal(preKeyMessageOneTimeKey(session.encrypt('hi').body), otk);
      assert.throws(() => preKeyMessageOneTimeKey(Buffer.from([3, 0x12, 0x02, 1, 2]).toString('base64')), { code: 'OLM_BAD_MESSAGE' });
      assert.throws(() => preKeyMessageOneTimeKey(Buffer.from([3, 0x0a, 0x20, 1]).toString('base64')), { code: 'OLM_BAD_MESSAGE' });
      assert.throws(() => preKeyMessageOneTimeKey(''), { code: 'OLM_BAD_MESSAGE' });
    } finally {
      session.free();
      sender.free();
      receiver.free();
    }
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GLOBAL_OPTIONS, resolveGlobalOptions } from './config.js';
import { configDirectory, readEnvironment } from './env.js';

describe('global options', () => {
  let dir: string;
  let configFile: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealbridge-cli-config-'));
    configFile = path.join(dir, 'config.json');
    fs.writeFileSync(configFile, JSON.stringify({ nodeUrl: 'ws://config:1', workerUrl: 'wss://config:2', keystore: 'config-ks', timeout: 5 }));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('falls back to the integritee-cli defaults, keystores in the config directory', () => {
    const options = resolveGlobalOptions({}, readEnvironment({}), '/home/u/.config/sealbridge');
    assert.equal(options.nodeUrl, 'ws://127.0.0.1:9944');
    assert.equal(options.workerUrl, 'wss://127.0.0.1:2000');
    assert.equal(options.keystore, '/home/u/.config/sealbridge/keystore');
    assert.equal(options.trustedKeystore, '/home/u/.config/sealbridge/trusted-keystore');
    assert.equal(options.ss58Prefix, 'chain');
    assert.equal(options.timeout, 60);
    assert.equal(options.json, false);
    assert.equal(options.runnerUrl, 'http://127.0.0.1:8080');
    assert.equal(options.runnerToken, '', 'no runner token unless given');
  });

  it('reads the runner URL and token from SEALBRIDGE_RUNNER_URL / SEALBRIDGE_RUNNER_TOKEN, under their flags', () => {
    const env = readEnvironment({ SEALBRIDGE_RUNNER_URL: 'http://env:8080', SEALBRIDGE_RUNNER_TOKEN: 'env-token' });
    assert.deepEqual(
      [resolveGlobalOptions({}, env).runnerUrl, resolveGlobalOptions({}, env).runnerToken],
      ['http://env:8080', 'env-token'],
    );
    assert.equal(resolveGlobalOptions({ runnerToken: 'flag-token' }, env).runnerToken, 'flag-token');
    assert.throws(() => resolveGlobalOptions({ runnerToken: '' }, env), /--runner-token: runnerToken must be a non-empty string/);
  });

  it('applies flag > environment > config file > default', () => {
    const env = readEnvironment({ SEALBRIDGE_CONFIG: configFile, SEALBRIDGE_WORKER_URL: 'wss://env:2', SEALBRIDGE_KEYSTORE: 'env-ks' });
    const options = resolveGlobalOptions({ keystore: 'flag-ks' }, env);
    assert.equal(options.keystore, 'flag-ks'); // flag beats env and file
    assert.equal(options.workerUrl, 'wss://env:2'); // env beats file
    assert.equal(options.nodeUrl, 'ws://config:1'); // file beats default
    assert.equal(options.timeout, 5);
    assert.equal(options.connectTimeout, GLOBAL_OPTIONS.connectTimeout.default);
  });

  it('takes --config over SEALBRIDGE_CONFIG', () => {
    const other = path.join(dir, 'other.json');
    fs.writeFileSync(other, JSON.stringify({ nodeUrl: 'ws://other:1' }));
    const options = resolveGlobalOptions({ config: other }, readEnvironment({ SEALBRIDGE_CONFIG: configFile }));
    assert.equal(options.nodeUrl, 'ws://other:1');
    assert.equal(options.workerUrl, 'wss://127.0.0.1:2000');
  });

  it('finds the config directory through XDG_CONFIG_HOME, else HOME', () => {
    assert.equal(configDirectory({ XDG_CONFIG_HOME: '/xdg', HOME: '/home/u' }), '/xdg/sealbridge');
    assert.equal(configDirectory({ HOME: '/home/u' }), '/home/u/.config/sealbridge');
  });

  it('takes --ss58-prefix / SEALBRIDGE_SS58_PREFIX as chain or 0-16383', () => {
    assert.equal(resolveGlobalOptions({ ss58Prefix: '42' }, {}).ss58Prefix, '42');
    assert.equal(resolveGlobalOptions({}, readEnvironment({ SEALBRIDGE_SS58_PREFIX: '0' })).ss58Prefix, '0');
    for (const bad of ['polkadot', '-1', '16384', '1.5']) {
      assert.throws(() => resolveGlobalOptions({ ss58Prefix: bad }, {}), /ss58Prefix must be 'chain' or a number 0-16383/);
    }
  });

  it('ignores empty environment variables', () => {
    assert.deepEqual(readEnvironment({ SEALBRIDGE_NODE_URL: '', HOME: '/root' }), {});
  });

  it('rejects unknown config keys, wrong types and unreadable files with one clear message', () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ nodeUrl: 'ws://x', nodeURL: 'typo' }));
    assert.throws(() => resolveGlobalOptions({ config: bad }, {}), /unknown option\(s\) nodeURL/);
    fs.writeFileSync(bad, JSON.stringify({ timeout: 'soon' }));
    assert.throws(() => resolveGlobalOptions({ config: bad }, {}), /timeout must be a positive number/);
    fs.writeFileSync(bad, '[1]');
    assert.throws(() => resolveGlobalOptions({ config: bad }, {}), /must contain a JSON object/);
    assert.throws(() => resolveGlobalOptions({ config: path.join(dir, 'missing.json') }, {}), /cannot read config file/);
    assert.throws(() => resolveGlobalOptions({}, readEnvironment({ SEALBRIDGE_TIMEOUT: '-3' })), /SEALBRIDGE_TIMEOUT: timeout must be a positive number/);
  });
});

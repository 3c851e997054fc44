import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { TRUSTED_BUNDLE_DIR } from './host/measurement.js';

const FORBIDDEN = ['node:fs', 'fs', 'node:fs/promises', 'node:net', 'net', 'node:http', 'node:https', 'http', 'https', 'ws'];

describe('trusted/host boundary', () => {
  it('trusted code imports no file, network or host module', () => {
    const files = fs.readdirSync(TRUSTED_BUNDLE_DIR, { recursive: true }).map(String).filter((f) => f.endsWith('.js') && !f.endsWith('.spec.js'));
    assert.ok(files.length > 5);
    for (const file of files) {
      const source = fs.readFileSync(path.join(TRUSTED_BUNDLE_DIR, file), 'utf8');
      const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      for (const specifier of specifiers) {
        assert.ok(!FORBIDDEN.includes(specifier), `${file} imports ${specifier}`);
        assert.ok(!specifier.includes('/host/') && !specifier.startsWith('../host'), `${file} imports host code ${specifier}`);
      }
    }
  });
});

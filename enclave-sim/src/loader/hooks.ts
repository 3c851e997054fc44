// ESM customization hooks of the enclave process (node:module `register`, run on node's hooks thread). The bundler
// inlines this file into bootstrap.mjs as a data: URL, so the hooks are measured as part of the bootstrap.
// Every ES module the enclave imports must be a measured file: `node:` builtins pass, a `file:` URL must be a loadable
// manifest entry whose bytes (the very source handed to node) hash to its sha256, and any other scheme (data:, http:)
// is refused. CommonJS arrives here with no source; the bootstrap's CommonJS guard checks those files.
import type { InitializeHook, LoadHook } from 'node:module';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { LoaderError } from './errors.js';

export interface HooksData {
  /** Absolute path → hex SHA-256 of every loadable (bootstrap, bundle, external) entry. */
  files: Array<[string, string]>;
}

let measured = new Map<string, string>();

export const initialize: InitializeHook<HooksData> = (data) => {
  measured = new Map(data.files);
};

export const load: LoadHook = async (url, context, nextLoad) => {
  if (url.startsWith('node:')) return nextLoad(url, context);
  const parsed = new URL(url);
  if (parsed.protocol !== 'file:') {
    throw new LoaderError('ENCLAVE_FILE_NOT_MEASURED', `enclave refused to load ${parsed.protocol} module ${url.slice(0, 80)}`);
  }
  parsed.search = '';
  parsed.hash = '';
  const file = fileURLToPath(parsed);
  const expected = measured.get(file);
  if (expected === undefined) throw new LoaderError('ENCLAVE_FILE_NOT_MEASURED', `enclave refused to load ${file}: not in the enclave manifest`);
  const result = await nextLoad(url, context);
  if (result.source != null) {
    const { source: raw } = result;
    const source = typeof raw === 'string' ? Buffer.from(raw)
      : ArrayBuffer.isView(raw) ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)
      : new Uint8Array(raw as ArrayBuffer);
    if (createHash('sha256').update(source).digest('hex') !== expected) {
      throw new LoaderError('ENCLAVE_FILE_TAMPERED', `enclave refused to load ${file}: it does not match its measurement`);
    }
  }
  return result;
};

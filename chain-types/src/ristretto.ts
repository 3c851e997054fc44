import { readFileSync } from 'node:fs';

/**
 * Whether 32 bytes are a canonical ristretto255 encoding: the decoding of RFC 9496 §4.3.1, which schnorrkel's
 * `PublicKey::from_bytes` runs. It runs for every first-time sr25519 signer, so the field arithmetic is WASM built
 * from `assembly/ristretto.ts` (15 µs a key here, against 100 µs in BigInt and 170 µs with `@noble/curves`).
 */
export function isRistrettoEncoding(bytes: Uint8Array): boolean {
  if (bytes.length !== 32) return false;
  input.set(bytes);
  return checker.isRistrettoEncoding() === 1;
}

interface RistrettoChecker {
  memory: { buffer: ArrayBuffer };
  inputPointer(): number;
  isRistrettoEncoding(): number;
}

/** The two constructors used here (node has WebAssembly; @types/node 20 and lib ES2023 do not declare it). */
const { WebAssembly: wasm } = globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: object) => { exports: unknown };
  };
};

function checkerBytes(): Uint8Array {
  const file = new URL('./ristretto.wasm', import.meta.url);
  try {
    return readFileSync(file);
  } catch (cause) {
    throw new Error(`${file.pathname} is missing: \`npm run build\` compiles it from chain-types/assembly/ristretto.ts`, { cause });
  }
}

const checker = new wasm.Instance(new wasm.Module(checkerBytes()), {
  env: {
    abort: () => {
      throw new Error('ristretto255 check aborted');
    },
  },
}).exports as unknown as RistrettoChecker;

/** The module's 32-byte input. Its stub runtime allocates only at start, so the memory never grows and this view stays valid. */
const input = new Uint8Array(checker.memory.buffer, checker.inputPointer(), 32);

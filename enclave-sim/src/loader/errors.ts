/** Why the enclave loader refuses to start (or to load one more file). */
export const LOADER_ERROR_CODES = [
  'ENCLAVE_MANIFEST_INVALID', // manifest.json missing, unreadable or not a well-formed entry list
  'ENCLAVE_MEASUREMENT_MISMATCH', // MRENCLAVE of the manifest is not the one the host expects (or the expectation is malformed)
  'ENCLAVE_FILE_TAMPERED', // a measured file is missing or its bytes do not hash to the manifest's sha256
  'ENCLAVE_FILE_NOT_MEASURED', // the enclave tried to load a module that is not in the manifest
] as const;
export type LoaderErrorCode = (typeof LOADER_ERROR_CODES)[number];

/** Exit code of a refused enclave process (EX_CONFIG of sysexits.h). */
export const ENCLAVE_REFUSED_EXIT_CODE = 78;

/**
 * The loader's error, shaped like chain-types' `SealbridgeError` (`code`, `Name [CODE]`) but not derived from it:
 * the bootstrap is a measured file of its own and imports nothing but node builtins and the log schema.
 */
export class LoaderError extends Error {
  readonly code: LoaderErrorCode;

  constructor(code: LoaderErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = `LoaderError [${code}]`;
  }
}

/** The first loader error in `error`'s cause chain, also after a worker thread or the hooks thread serialised it. */
export function loaderErrorIn(error: unknown): { code: LoaderErrorCode; message: string } | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (LOADER_ERROR_CODES as readonly string[]).includes(code)) {
      return { code: code as LoaderErrorCode, message: String(message) };
    }
  }
  return undefined;
}

/**
 * Where the enclave keeps its sealed key files (FileSealedStorage in the enclave process, in-memory in specs): opaque
 * sealed bytes under a name, never plaintext. `readBackup` returns the previous generation (if the host keeps one) so the
 * enclave can recover from a torn or corrupted write.
 */
export interface SealedStorage {
  read(name: string): Promise<Uint8Array | undefined>;
  write(name: string, bytes: Uint8Array): Promise<void>;
  readBackup?(name: string): Promise<Uint8Array | undefined>;
  /** Called once when the enclave closes, after its last write (the host releases the data directory). */
  close?(): Promise<void>;
}

import { createHash } from 'node:crypto';

/**
 * Public key of the simulated enclave vendor ("ISV") signing key. Only the public half exists in the repo:
 * the simulator never signs a SIGSTRUCT, it only needs the key's hash as MRSIGNER. Dev constant.
 */
export const DEV_VENDOR_PUBLIC_KEY_HEX = '0ea660faeded4bb9ffd8ee42a91b4e6cb18c21b97d4ae899980a82265f2567fe';

/** MRSIGNER = SHA-256(vendor public key). */
export function devMrsigner(): Uint8Array {
  return new Uint8Array(createHash('sha256').update(Buffer.from(DEV_VENDOR_PUBLIC_KEY_HEX, 'hex')).digest());
}

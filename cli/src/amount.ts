import { CliError, CliErrorCode } from './errors.js';

/** Decimals of the parentchain token (TEER, 12 like integritee-node). */
export const DECIMALS = 12;
export const UNIT = 10n ** BigInt(DECIMALS);
const UNITS: Readonly<Record<string, number>> = { UNIT: DECIMALS, TEER: DECIMALS };
const AMOUNT_RE = /^(\d+)(?:\.(\d+))?\s*([A-Za-z]*)$/;

function bad(input: string, why: string): CliError {
  return new CliError(CliErrorCode.BAD_INPUT, `invalid amount '${input}': ${why} (examples: 6UNIT, 0.2UNIT, 1.5TEER, 1000000000000)`);
}

/**
 * Parses `6UNIT`, `0.2UNIT`, `1.5TEER` (units are case-insensitive) or a plain integer in the smallest unit,
 * exactly, with BigInt string arithmetic. Zero is refused unless `allowZero` (a transfer of nothing would still be
 * charged its fee); negatives always are.
 */
export function parseAmount(input: string, { allowZero = false }: { allowZero?: boolean } = {}): bigint {
  const text = input.trim();
  if (text === '') throw bad(input, 'empty');
  if (text.startsWith('-')) throw bad(input, 'must not be negative');
  const match = AMOUNT_RE.exec(text);
  if (!match) throw bad(input, 'not a number with an optional unit');
  const [, whole, fraction = '', unitText] = match;
  let amount: bigint;
  if (unitText === '') {
    if (match[2] !== undefined) throw bad(input, 'a plain amount is in the smallest unit and cannot have decimals; add a unit');
    amount = BigInt(whole);
  } else {
    const decimals = UNITS[unitText.toUpperCase()];
    if (decimals === undefined) throw bad(input, `unknown unit '${unitText}', expected one of ${Object.keys(UNITS).join(', ')}`);
    if (fraction.length > decimals) throw bad(input, `more than ${decimals} decimals`);
    amount = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
  }
  if (amount === 0n && !allowZero) throw bad(input, 'must be greater than zero');
  return amount;
}

/** `1200000000000n` → `1.2 UNIT`. */
export function formatAmount(value: bigint): string {
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  const whole = abs / UNIT;
  const fraction = (abs % UNIT).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''} UNIT`;
}

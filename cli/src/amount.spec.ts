import assert from 'node:assert/strict';
import { CliError } from './errors.js';
import { formatAmount, parseAmount, UNIT } from './amount.js';

describe('parseAmount', () => {
  const valid: [string, bigint][] = [
    ['6UNIT', 6n * UNIT],
    ['0.2UNIT', 200_000_000_000n],
    ['2UNIT', 2_000_000_000_000n],
    ['1.5TEER', 1_500_000_000_000n],
    ['1.5teer', 1_500_000_000_000n],
    ['0.000000000001UNIT', 1n],
    ['1.000000000001UNIT', 1_000_000_000_001n],
    ['340282366920938463463374607431768211455', 2n ** 128n - 1n],
    ['1000000000000', UNIT],
    [' 7 UNIT ', 7n * UNIT],
    ['123456789.123456789012UNIT', 123_456_789_123_456_789_012n],
  ];
  for (const [input, expected] of valid) {
    it(`parses '${input}' exactly`, () => assert.equal(parseAmount(input), expected));
  }

  const malformed: [string, RegExp][] = [
    ['1.2.3UNIT', /not a number/],
    ['-1UNIT', /negative/],
    ['-5', /negative/],
    ['0.0000000000001UNIT', /more than 12 decimals/],
    ['', /empty/],
    ['   ', /empty/],
    ['5DOT', /unknown unit 'DOT'/],
    ['1.5', /cannot have decimals/],
    ['UNIT', /not a number/],
    ['1e12', /not a number/],
    ['0x10', /not a number/],
    ['.5UNIT', /not a number/],
    ['5.UNIT', /not a number/],
    ['0UNIT', /must be greater than zero/],
    ['0', /must be greater than zero/],
    ['0.000UNIT', /must be greater than zero/],
  ];
  it('takes zero where it is a value, not a movement (set-balance)', () => {
    assert.equal(parseAmount('0', { allowZero: true }), 0n);
    assert.equal(parseAmount('0UNIT', { allowZero: true }), 0n);
    assert.throws(() => parseAmount('-1UNIT', { allowZero: true }), /must not be negative/);
  });

  for (const [input, message] of malformed) {
    it(`rejects '${input}'`, () => {
      assert.throws(() => parseAmount(input), (error: unknown) => {
        assert.ok(error instanceof CliError);
        assert.equal(error.code, 'ERR_BAD_INPUT');
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

describe('formatAmount', () => {
  it('prints whole and fractional UNITs without trailing zeros', () => {
    assert.equal(formatAmount(6n * UNIT), '6 UNIT');
    assert.equal(formatAmount(1_200_000_000_000n), '1.2 UNIT');
    assert.equal(formatAmount(1n), '0.000000000001 UNIT');
    assert.equal(formatAmount(0n), '0 UNIT');
    assert.equal(formatAmount(-UNIT / 2n), '-0.5 UNIT');
  });

  it('round-trips through parseAmount', () => {
    for (const value of [0n, 1n, 999n, UNIT, 1_234_567_890_123_456n]) {
      assert.equal(parseAmount(formatAmount(value).replace(' ', ''), { allowZero: true }), value);
    }
  });
});

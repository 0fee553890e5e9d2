import { generatePassword, PASSWORD_ALPHABET, PASSWORD_LENGTH, passwordEntropyBits } from './password';

/** Entra's default complexity for cloud passwords: 8–256 characters, 3 of the 4 classes. */
const meetsEntraComplexity = (password: string) =>
  password.length >= 8 && password.length <= 256 && [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((pattern) => pattern.test(password)).length >= 3;

describe('generatePassword', () => {
  const sample = Array.from({ length: 5000 }, () => generatePassword());

  it('is 32 characters from the allowed alphabet, with all four character classes', () => {
    for (const password of sample) {
      expect(password).toHaveLength(PASSWORD_LENGTH);
      expect([...password].every((char) => PASSWORD_ALPHABET.includes(char))).toBe(true);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).toMatch(/[^a-zA-Z0-9]/);
      expect(meetsEntraComplexity(password)).toBe(true);
    }
  });

  it('never repeats', () => {
    expect(new Set(sample).size).toBe(sample.length);
  });

  it('carries well over 128 bits of entropy', () => {
    expect(PASSWORD_ALPHABET).toHaveLength(90);
    expect(new Set(PASSWORD_ALPHABET).size).toBe(90);
    expect(passwordEntropyBits()).toBeGreaterThan(200);
  });

  it('uses no characters Entra refuses, and none that need quoting in JSON or shells', () => {
    expect(PASSWORD_ALPHABET).not.toMatch(/[\s"'`\\]/);
    expect(PASSWORD_ALPHABET).toMatch(/^[\x21-\x7e]+$/);
  });

  it('throws away bytes that would bias the modulo (rejection sampling)', () => {
    // 90 characters: bytes 180–255 would make the first 76 characters likelier, so they are skipped.
    const groups = [0, 1, 2, 3].flatMap((n) => [180 + n * 20, n, 26 + n, 52 + n, 62 + n]);
    const source = (size: number) => Buffer.from([...groups, ...new Array(Math.max(0, size - groups.length)).fill(0)].slice(0, size));
    expect(generatePassword({ randomBytes: source, length: 16 })).toBe('aA0!bB1#cC2$dD3%');
  });

  it('uses every character about equally often', () => {
    const counts = new Map<string, number>();
    for (const password of sample) for (const char of password) counts.set(char, (counts.get(char) ?? 0) + 1);
    const expected = (sample.length * PASSWORD_LENGTH) / PASSWORD_ALPHABET.length;
    expect(counts.size).toBe(PASSWORD_ALPHABET.length);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(expected * 0.85);
      expect(count).toBeLessThan(expected * 1.15);
    }
  });

  it('refuses lengths outside 16–256', () => {
    expect(() => generatePassword({ length: 8 })).toThrow(RangeError);
    expect(() => generatePassword({ length: 257 })).toThrow(RangeError);
  });
});

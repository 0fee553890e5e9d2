import { decodeAb64, decodeBase64, decodeBcrypt64, encodeCrypt64 } from './encoding';

describe('decodeBase64', () => {
  it('accepts canonical padded and unpadded base64 only', () => {
    expect(decodeBase64('aGVsbG8=', 'required')?.toString()).toBe('hello');
    expect(decodeBase64('aGVsbG8', 'none')?.toString()).toBe('hello');
    expect(decodeBase64('aGVsbG8', 'required')).toBeUndefined();
    expect(decodeBase64('aGVsbG8=', 'none')).toBeUndefined();
    expect(decodeBase64('aGVs bG8=', 'required')).toBeUndefined();
    expect(decodeBase64('aGVsbG9=', 'required')).toBeUndefined(); // non-zero padding bits
    expect(decodeBase64('aGVsbG8-', 'none')).toBeUndefined();
  });
});

describe('decodeAb64', () => {
  it("reads passlib's '.' for '+' (and '+' itself)", () => {
    expect(decodeAb64('.../')).toEqual(Buffer.from([0xfb, 0xef, 0xbf]));
    expect(decodeAb64('+++/')).toEqual(Buffer.from([0xfb, 0xef, 0xbf]));
  });
});

describe('decodeBcrypt64', () => {
  it('ignores the unused low bits of the last character', () => {
    const canonical = decodeBcrypt64('Ku', 1);
    expect(canonical).toBeDefined();
    expect(decodeBcrypt64('Kv', 1)).toEqual(canonical);
    expect(decodeBcrypt64('K', 1)).toBeUndefined();
  });
});

describe('encodeCrypt64', () => {
  it('packs little-endian 6-bit groups into ./0-9A-Za-z', () => {
    expect(encodeCrypt64(Buffer.from([0x00, 0x00, 0x00]))).toBe('....');
    expect(encodeCrypt64(Buffer.from([0x3f]))).toBe('z.');
    expect(encodeCrypt64(Buffer.from([0xff, 0xff]))).toBe('zzD');
  });
});

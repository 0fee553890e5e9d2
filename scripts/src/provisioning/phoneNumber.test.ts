import { normalizePhoneNumber } from './phoneNumber';

describe('normalizePhoneNumber: Graph\'s +{country code} {number}', () => {
  it.each([
    ['+12065550100', '+1 2065550100'],
    ['+1 2065550100', '+1 2065550100'],
    ['+1 (206) 555-0100', '+1 2065550100'],
    ['+44 20 7946 0958', '+44 2079460958'],
    ['+44 (0)20 7946 0958', '+44 2079460958'],
    ['0044 20 7946 0958', '+44 2079460958'],
    ['+353 1 234 5678', '+353 12345678'],
    ['+7 912 345-67-89', '+7 9123456789'],
    ['+86 138 0013 8000', '+86 13800138000'],
    ['+1 206.555.0100 x123', '+1 2065550100x123'],
    ['+1 206 555 0100 ext. 7', '+1 2065550100x7'],
    ['  +49/30/1234567  ', '+49 301234567'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizePhoneNumber(raw)).toEqual({ ok: true, phoneNumber: expected });
  });

  it.each([
    ['2065550100', 'no country code'],
    ['(206) 555-0100', 'no country code'],
    ['+1 206 CALL NOW', 'characters other than digits'],
    ['+999 1234567', 'no known country code'],
    ['+800 12345678', 'no known country code'],
    ['+44 123', 'too short'],
    ['+1 2065550100123456', 'more than the 15 digits'],
    ['+', 'no known country code'],
    ['', 'no country code'],
  ])('refuses %j (%s) with a reason that quotes it and says what to fix', (raw, why) => {
    const parsed = normalizePhoneNumber(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason).toContain(why);
      expect(parsed.reason).toContain(`"${raw}"`);
      expect(parsed.reason).toMatch(/correct it|registers a phone/);
    }
  });
});

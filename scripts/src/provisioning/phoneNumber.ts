/**
 * A B2C user's mobile phone in the form Graph's phoneMethods require: `+{country code} {number}` with an
 * optional `x{extension}` (phoneAuthenticationMethod; "others rejected"). B2C stores numbers as typed, often
 * without the space after the country code (b2c-to-external-id.md section 5), so each is rewritten here, or
 * refused with the reason when no rule can place its country code. Rules, in order:
 *
 * 1. An extension at the end (`x123`, `ext 123`, `ext. 123`, `extension 123`) is kept as `x123`.
 * 2. What is left may hold digits, spaces and the separators `-` `.` `/` `(` `)` only.
 * 3. It must be international: `+` or `00` first. A national number (`206 555 0100`) has no country code, and
 *    guessing one would send an SMS to someone else's phone: refused.
 * 4. A trunk prefix written `(0)` after the country code (`+44 (0)20 …`) is dropped, as dialling drops it.
 * 5. The country code is the one code of the table below the digits start with (E.164 codes are prefix-free).
 * 6. E.164 allows 15 digits in all; the national number must have 4 to 14.
 *
 * The table: ITU-T E.164 geographic country codes (ITU's "List of ITU-T Recommendation E.164 assigned country
 * codes"); global services (+800, +808, +870, +878, +881–883, +888) are left out: they are not mobile phones.
 */

export type PhoneParse = { readonly ok: true; readonly phoneNumber: string } | { readonly ok: false; readonly reason: string };

const ONE_DIGIT = ['1', '7'];
const TWO_DIGITS = '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(' ');
const THREE_DIGITS = [
  '211 212 213 216 218',
  '220 221 222 223 224 225 226 227 228 229 230 231 232 233 234 235 236 237 238 239 240 241 242 243 244 245 246 247 248 249',
  '250 251 252 253 254 255 256 257 258 260 261 262 263 264 265 266 267 268 269 290 291 297 298 299',
  '350 351 352 353 354 355 356 357 358 359 370 371 372 373 374 375 376 377 378 380 381 382 383 385 386 387 389 420 421 423',
  '500 501 502 503 504 505 506 507 508 509 590 591 592 593 594 595 596 597 598 599',
  '670 672 673 674 675 676 677 678 679 680 681 682 683 685 686 687 688 689 690 691 692',
  '850 852 853 855 856 880 886',
  '960 961 962 963 964 965 966 967 968 970 971 972 973 974 975 976 977 979 992 993 994 995 996 998',
].join(' ').split(' ');
const COUNTRY_CODES: ReadonlySet<string> = new Set([...ONE_DIGIT, ...TWO_DIGITS, ...THREE_DIGITS]);

const EXTENSION = /\s*(?:x|ext\.?|extension)\s*(\d{1,10})$/i;
const ALLOWED = /^[0-9 ()./-]*$/;
const E164_MAX_DIGITS = 15;
const MIN_NATIONAL_DIGITS = 4;

export function normalizePhoneNumber(raw: string): PhoneParse {
  const refuse = (why: string): PhoneParse => ({ ok: false, reason: `the mobile phone "${raw}" ${why}` });
  let text = raw.trim();
  const extension = EXTENSION.exec(text);
  if (extension) text = text.slice(0, extension.index).trim();

  let rest: string;
  if (text.startsWith('+')) rest = text.slice(1);
  else if (text.startsWith('00')) rest = text.slice(2);
  else return refuse('has no country code (it must start with + or 00): correct it in B2C or the export, or the user registers a phone at first sign-in');
  if (!ALLOWED.test(rest)) return refuse('holds characters other than digits, spaces and - . / ( ): correct it in B2C or the export');

  const digits = rest.replace(/\D/g, '');
  const countryCode = [1, 2, 3].map((length) => digits.slice(0, length)).find((prefix) => COUNTRY_CODES.has(prefix));
  if (countryCode === undefined) return refuse(`starts with no known country code (+${digits.slice(0, 3)}…): correct it in B2C or the export`);
  // "(0)" right after the country code is the trunk prefix, not part of the number.
  const trunk = new RegExp(`^\\s*${countryCode.split('').join('\\D*')}\\s*\\(0\\)`).test(rest);
  const national = digits.slice(countryCode.length).slice(trunk ? 1 : 0);
  if (national.length < MIN_NATIONAL_DIGITS) return refuse(`is too short after the country code +${countryCode}: correct it in B2C or the export`);
  if (countryCode.length + national.length > E164_MAX_DIGITS) return refuse(`has more than the ${E164_MAX_DIGITS} digits an international number can have: correct it in B2C or the export`);
  return { ok: true, phoneNumber: `+${countryCode} ${national}${extension ? `x${extension[1]}` : ''}` };
}

/**
 * Ceilings on the cost parameters a stored hash may carry. A legacy store is data we do not
 * control: one corrupted or hostile row with `rounds=999999999` must not tie up the function
 * for minutes. Every ceiling sits well above what the originating systems use by default
 * (the README lists both); a hash over a ceiling is rejected with MalformedHashError before
 * any hashing starts.
 */
export const LIMITS = {
  /** Passwords longer than this are not hashed (iterated schemes hash the password every round). WordPress uses the same 4096. */
  maxPasswordBytes: 4096,
  /** Longest stored hash string looked at (the longest legitimate ones, ASP.NET V3 / LDAP, are a few hundred characters). */
  maxHashLength: 1024,
  /** bcrypt log2 cost: 2^16 Blowfish key expansions take seconds; PHP/WordPress default is 10–12. */
  bcryptMaxCost: 16,
  /** Argon2 memory in KiB (1 GiB). */
  argon2MaxMemoryKiB: 1024 * 1024,
  /** Argon2 passes over memory. */
  argon2MaxTimeCost: 64,
  /** Argon2 lanes. */
  argon2MaxParallelism: 64,
  /** scrypt memory 128·N·r bytes (1 GiB). */
  scryptMaxMemoryBytes: 1024 * 1024 * 1024,
  /** scrypt work N·r·p: 2^25 is 64 times passlib's default (ln=16, r=8, p=1). */
  scryptMaxWork: 2 ** 25,
  /** PBKDF2 iterations × output blocks (Django 5 uses 1,000,000 iterations; ASP.NET Identity 8 100,000). */
  pbkdf2MaxIterations: 10_000_000,
  /** Derived-key length for schemes that store it (bytes). */
  maxDerivedKeyBytes: 1024,
  /** SHA-crypt rounds (the format allows 999,999,999; glibc's default is 5000). */
  shaCryptMaxRounds: 10_000_000,
  /** phpass/Drupal log2 iteration count: 2^22 ≈ 4.2 M digests (WordPress uses 2^8, Drupal 7 2^15, passlib 2^19). */
  phpassMaxLog2: 22,
} as const;

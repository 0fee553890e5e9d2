/**
 * The B2C sign-in rows of `npm run bench`: POST /api/b2c/signin of a B2C-only deployment (IdentityPlatform=b2c),
 * measured as the legacy-hash rows are (benchMeasure.ts). Bearer is the caller authentication that costs the
 * function most: the policy fetches a client-credentials token for every sign-in, so each request carries a
 * token never seen before and pays the full signature check. Basic, the default, compares a secret.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { B2C_ROUTES } from '../../../lib/b2c/contract';
import { PasswordSubmitEndpoint } from '../../../function/src/app';
import type { HashRegistry } from '../../../function/src/hashing';
import { b2cEnv, b2cRequest, basicAuthorization } from '../../../function/test/support/b2c';
import type { FakeEntra } from '../../../function/test/support/fakeEntra';
import { loadRequestCount, measureRow, silent, type RowResult, type Send } from './benchMeasure';

/** The client ID of the app registration whose client credentials the policy uses (the token's `azp`). */
const CALLER_APP_ID = 'b2c0ca11-e400-4abc-8def-0123456789ab';
/** Requests each endpoint answers before timing: metadata and JWKS fetch, hash threads, JIT. */
const WARM_UP = 5;

export interface B2cBenchHashes {
  /** A µs hash ({SSHA}): its rows show the pipeline's own cost. */
  readonly fast: string;
  readonly bcrypt: string;
}

export interface B2cBenchOptions {
  readonly entra: FakeEntra;
  readonly tenantId: string;
  /** The API app B2C requests its token for (the token's audience). */
  readonly apiAppId: string;
  readonly password: string;
  readonly hashes: B2cBenchHashes;
  readonly registry: HashRegistry;
  readonly iterations: number;
  readonly concurrency: number;
  /** A scratch directory for the rows' users files. */
  readonly dir: string;
  /** Settings every row shares with the External ID rows (the callout budget). */
  readonly settings: Record<string, string>;
}

export async function measureB2cSignIn(options: B2cBenchOptions): Promise<RowResult[]> {
  const { entra, hashes } = options;
  const bearerSettings = { B2cApiAuth: 'bearer', B2cTenantId: options.tenantId, B2cApiAppId: options.apiAppId, B2cCallerAppIds: CALLER_APP_ID, B2cOpenIdMetadataUrl: entra.metadataUrl };
  const bearer = async (): Promise<string> => `Bearer ${await entra.mintAccessToken({ claims: { azp: CALLER_APP_ID } })}`;
  const basic = async (): Promise<string> => basicAuthorization();
  const rows = [
    { name: 'bearer, new token each call ({SSHA}, µs hash)', hash: hashes.fast, settings: bearerSettings, authorization: bearer },
    { name: 'Basic ({SSHA}, µs hash)', hash: hashes.fast, settings: {}, authorization: basic },
    { name: 'bearer, new token each call, bcrypt (cost 10)', hash: hashes.bcrypt, settings: bearerSettings, authorization: bearer },
  ];
  const results: RowResult[] = [];
  for (const [index, row] of rows.entries()) {
    // A user per request: B2C's retry of the same name and password gets the first answer back without a
    // verify, so a repeated request would measure the replay. Users may share a hash: it names no user.
    const count = WARM_UP + options.iterations + loadRequestCount(options.iterations, options.concurrency);
    const usernames = Array.from({ length: count }, (_, n) => `b2c${index}-${n}@bench.test`);
    const usersFile = path.join(options.dir, `b2c-users-${index}.jsonl`);
    await fs.writeFile(usersFile, usernames.map((username) => JSON.stringify({ username, hash: row.hash })).join('\n') + '\n');
    const endpoint = new PasswordSubmitEndpoint(b2cEnv({ ...options.settings, LegacyStore: 'file', LegacyUsersFile: usersFile, ...row.settings }));
    const send: Send = (request, sink) => endpoint.handleB2c(B2C_ROUTES.signIn, request, sink);
    let next = 0;
    const makeRequest = async () => {
      const username = usernames[next++];
      if (username === undefined) throw new Error(`bench: ${row.name} ran out of users`);
      return b2cRequest(B2C_ROUTES.signIn, { signInName: username, password: options.password }, { authorization: await row.authorization() });
    };
    try {
      const measure = { name: row.name, hash: row.hash, password: options.password, expectedAnswer: 'migrated', send, makeRequest };
      for (let n = 0; n < WARM_UP; n++) {
        const { status } = await send(await makeRequest(), silent);
        if (status !== 200) throw new Error(`bench: ${row.name} answered ${status} while warming up`);
      }
      results.push(await measureRow(measure, options.registry, options.iterations, options.concurrency));
    } finally {
      await endpoint.close();
    }
  }
  return results;
}

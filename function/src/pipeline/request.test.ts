import { parsePasswordSubmitRequest, RequestShapeError } from './request';

const valid = {
  type: 'microsoft.graph.authenticationEvent.passwordSubmit',
  source: '/tenants/t/applications/a',
  data: {
    '@odata.type': 'microsoft.graph.onPasswordSubmitCalloutData',
    tenantId: 'T',
    encryptedPasswordContext: 'a.b.c.d.e',
    authenticationContext: { correlationId: 'corr-1', clientServicePrincipal: { appId: 'client' } },
  },
};

function error(body: string): RequestShapeError {
  try {
    parsePasswordSubmitRequest(body);
  } catch (e) {
    if (e instanceof RequestShapeError) return e;
    throw e;
  }
  throw new Error('expected a RequestShapeError');
}

describe('parsePasswordSubmitRequest', () => {
  it('takes the context and the correlation id', () => {
    expect(parsePasswordSubmitRequest(JSON.stringify(valid))).toEqual({ encryptedPasswordContext: 'a.b.c.d.e', correlationId: 'corr-1', tenantId: 'T', clientAppId: 'client' });
  });

  it('accepts the # form of the data type', () => {
    const body = { ...valid, data: { ...valid.data, '@odata.type': '#microsoft.graph.onPasswordSubmitCalloutData' } };
    expect(parsePasswordSubmitRequest(JSON.stringify(body)).encryptedPasswordContext).toBe('a.b.c.d.e');
  });

  it.each([
    ['{not json', 'the request body is not valid JSON'],
    ['[]', 'the request body must be a JSON object'],
    [JSON.stringify({ ...valid, type: 'microsoft.graph.authenticationEvent.tokenIssuanceStart' }), 'type must be microsoft.graph.authenticationEvent.passwordSubmit'],
    [JSON.stringify({ type: valid.type }), 'data is missing'],
    [JSON.stringify({ ...valid, data: { ...valid.data, encryptedPasswordContext: '' } }), 'data.encryptedPasswordContext is missing'],
    [JSON.stringify({ ...valid, data: { ...valid.data, encryptedPasswordContext: 'x'.repeat(40000) } }), 'data.encryptedPasswordContext is too long'],
    [JSON.stringify({ ...valid, data: { ...valid.data, '@odata.type': 'microsoft.graph.other' } }), 'data.@odata.type must be microsoft.graph.onPasswordSubmitCalloutData'],
  ])('rejects %s', (body, message) => {
    const e = error(body);
    expect(e.status).toBe(400);
    expect(e.message).toBe(message);
  });
});

import { passwordSubmitResponse, unauthorizedResponse } from './respond';

describe('passwordSubmitResponse', () => {
  it('has exactly the documented shape', () => {
    const response = passwordSubmitResponse({ action: 'MigratePassword' }, 'nonce-1');
    expect(response.status).toBe(200);
    expect((response.headers as Record<string, string>)['content-type']).toMatch(/^application\/json/);
    expect(response.jsonBody).toEqual({
      data: {
        '@odata.type': 'microsoft.graph.onPasswordSubmitResponseData',
        actions: [{ '@odata.type': 'microsoft.graph.passwordSubmit.MigratePassword' }],
        nonce: 'nonce-1',
      },
    });
  });

  it('carries title and message for Block', () => {
    const response = passwordSubmitResponse({ action: 'Block', title: 'T', message: 'M' }, 'n');
    expect(response.jsonBody).toEqual({
      data: { '@odata.type': 'microsoft.graph.onPasswordSubmitResponseData', actions: [{ '@odata.type': 'microsoft.graph.passwordSubmit.Block', title: 'T', message: 'M' }], nonce: 'n' },
    });
  });

  it('401 carries no body', () => {
    const response = unauthorizedResponse();
    expect(response.status).toBe(401);
    expect(response.jsonBody).toBeUndefined();
    expect(response.body).toBeUndefined();
  });
});

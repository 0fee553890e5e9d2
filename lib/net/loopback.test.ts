import { isHttpsOrLoopbackHttp, isLoopbackHost } from './loopback';

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '127.255.0.9', '::1', '[::1]'])('%s is loopback', (host) => expect(isLoopbackHost(host)).toBe(true));
  it.each(['example.com', '10.0.0.1', '128.0.0.1', '127.0.0.1.nip.io', 'localhost.example.com', '::2', ''])('%s is not', (host) => expect(isLoopbackHost(host)).toBe(false));
});

describe('isHttpsOrLoopbackHttp', () => {
  it.each([
    ['https anywhere', 'https://graph.microsoft.com/v1.0', true],
    ['http on 127.0.0.1', 'http://127.0.0.1:8080/token', true],
    ['http on [::1]', 'http://[::1]:8080/', true],
    ['http on localhost', 'http://localhost/', true],
    ['http off the machine', 'http://contoso.b2clogin.com/token', false],
    ['http on a name that only starts like localhost', 'http://localhost.contoso.com/', false],
    ['another scheme on loopback', 'ftp://127.0.0.1/', false],
  ])('%s', (_case, url, expected) => {
    expect(isHttpsOrLoopbackHttp(new URL(url))).toBe(expected);
  });
});

/**
 * The one loopback test: where plain http (and test credentials) are allowed. localhost, 127.0.0.0/8 and ::1,
 * with or without the brackets URL.hostname keeps around IPv6 addresses.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The one transport rule for outbound calls: https, or plain http to a loopback host (tests, the sandbox). */
export function isHttpsOrLoopbackHttp(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

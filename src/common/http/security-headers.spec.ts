import { securityHeaders } from './security-headers.js';

describe(securityHeaders.name, () => {
  it('gives the headers helmet sets for the options, once', () => {
    const headers = securityHeaders({
      contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"] } },
    });
    expect(headers['Content-Security-Policy']).toContain("default-src 'self'");
    expect(headers['Content-Security-Policy']).toContain("frame-ancestors 'none'");
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
    expect(headers['Strict-Transport-Security']).toBe('max-age=31536000; includeSubDomains');
    expect(Object.keys(headers)).not.toContain('X-Powered-By');
  });

  it('leaves out what the options turn off', () => {
    expect(securityHeaders({ xFrameOptions: false })['X-Frame-Options']).toBeUndefined();
  });
});

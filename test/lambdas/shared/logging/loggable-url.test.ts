import { loggableUrl } from '../../../../lambdas/shared/logging/loggable-url';

describe('loggableUrl: origin and path only', () => {
  it.each<[string, string]>([
    ['https://idp.example.com/jwks', 'https://idp.example.com/jwks'],
    ['https://idp.example.com/jwks?access_token=secret', 'https://idp.example.com/jwks'],
    ['https://idp.example.com/jwks#secret', 'https://idp.example.com/jwks'],
    ['https://user:secret@idp.example.com:8443/a/b', 'https://idp.example.com:8443/a/b'],
    ['http://[::1]:8080/jwks?x=secret', 'http://[::1]:8080/jwks'],
    ['pinned:https://idp.example.com?secret', '(not an http(s) URL)'],
    ['not a url secret', '(not a URL)'],
  ])('%s → %s', (url, expected) => {
    expect(loggableUrl(url)).toBe(expected);
    expect(loggableUrl(url)).not.toContain('secret');
  });
});

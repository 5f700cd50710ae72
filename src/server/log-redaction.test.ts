import { describe, expect, it } from 'vitest';
import { redactUrl } from './log-redaction.js';

describe('redactUrl', () => {
  it.each([
    ['/invite/wsi_abc', '/invite/[redacted]'],
    ['/api/v1/invites/wsi_abc/accept', '/api/v1/invites/[redacted]/accept'],
    ['/api/v1/invites/anything-else', '/api/v1/invites/[redacted]'],
    ['/api/v1/invites/inv_01H', '/api/v1/invites/inv_01H'],
    ['/api/v1/%69nvites/x', '/api/v1/%69nvites/[redacted]'],
    ['/api/v1/chats/wsk_leaked', '/api/v1/chats/[redacted]'],
    ['/a?hub.verify_token=s&hub.challenge=1', '/a?hub.verify_token=[redacted]&hub.challenge=1'],
    ['/a?code=c&state=x&limit=5', '/a?code=[redacted]&state=x&limit=5'],
    [
      '/a?client_secret=s&password=p&api_key=k',
      '/a?client_secret=[redacted]&password=[redacted]&api_key=[redacted]',
    ],
    ['/a?q=wss_session', '/a?q=[redacted]'],
    ['/api/v1/chats?limit=5&cursor=abc', '/api/v1/chats?limit=5&cursor=abc'],
  ])('%s → %s', (url, logged) => expect(redactUrl(url)).toBe(logged));
});

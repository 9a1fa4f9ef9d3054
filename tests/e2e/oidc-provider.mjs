// An OIDC provider on loopback for the browser tests: the `oidc-provider` package (a certified
// implementation nobody here wrote) with its development login pages, which accept any login
// and password. The issuer's port is known before the app server starts (the server needs the
// issuer), and the client with the server's callback is registered once the server is up.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

/** The person every login signs in as: what the provider vouches for. */
export const PERSON = {
  name: '沈思远',
  phone_number: '13800138000',
  id_number: '11010519491231002X',
};

/**
 * Listens on a free loopback port; resolves to { issuer, register(callbackUrl), stop }.
 * Requests before `register` answer 503.
 */
export async function startProvider() {
  let provider = null;
  const http = createServer((req, res) => {
    if (!provider) {
      res.writeHead(503).end();
      return;
    }
    provider.callback()(req, res);
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${http.address().port}`;
  const register = (callbackUrl) => {
    provider = new Provider(issuer, {
      clients: [{
        client_id: 'onething',
        // A public client: PKCE, no secret (the reference server's default).
        token_endpoint_auth_method: 'none',
        redirect_uris: [callbackUrl],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      }],
      claims: {
        openid: ['sub'],
        profile: ['name'],
        phone: ['phone_number'],
        id_number: ['id_number'],
      },
      scopes: ['openid', 'profile', 'phone', 'id_number'],
      pkce: { required: () => true },
      features: { devInteractions: { enabled: true } },
      cookies: { keys: ['loopback-test-provider-cookie-key'] },
      async findAccount(_ctx, sub) {
        return { accountId: sub, claims: async () => ({ sub, ...PERSON }) };
      },
    });
  };
  const stop = () => new Promise((r) => { http.closeAllConnections?.(); http.close(r); });
  return { issuer, register, stop };
}

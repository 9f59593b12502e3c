//! Who the app is and the tokens it acts with: credentials, the token cache and fetch,
//! app store apps, OAuth with PKCE, and user tokens that renew themselves. Requests go out
//! through the [`Wire`](crate::wire::Wire) handle, never through the client.

pub(crate) mod credentials;
pub(crate) mod oauth;
pub(crate) mod pkce;
pub(crate) mod token;
pub(crate) mod user_token;

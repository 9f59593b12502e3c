//! Where a call gets a user access token: the [`UserTokenSource`] trait, and
//! [`RefreshingUserToken`](crate::RefreshingUserToken) as one.

use crate::auth::user_token::RefreshingUserToken;
use crate::client::Client;
use crate::core::BoxFuture;
use crate::core::error::Result;

/// Where a call gets a user access token, and how it gets a new one.
///
/// Pass one with [`Call::user_token_source`](crate::Call::user_token_source). The call
/// asks [`access_token`](Self::access_token) before each attempt; if the platform rejects
/// the token as invalid or expired (99991668, 99991677) it calls
/// [`refresh`](Self::refresh) once and retries once.
pub trait UserTokenSource: Send + Sync {
    /// A token to send now; refreshing it first if it is about to expire is up to the
    /// source.
    fn access_token<'a>(&'a self, client: &'a Client) -> BoxFuture<'a, Result<String>>;

    /// The platform rejected `rejected`: return a new token. If another caller already
    /// replaced it, return the replacement without refreshing again. Return `rejected`
    /// itself when there is no way to renew it; the call then fails with
    /// [`Error::UserToken`](crate::Error::UserToken).
    fn refresh<'a>(&'a self, client: &'a Client, rejected: &'a str) -> BoxFuture<'a, Result<String>>;
}

impl UserTokenSource for RefreshingUserToken {
    fn access_token<'a>(&'a self, client: &'a Client) -> BoxFuture<'a, Result<String>> {
        Box::pin(self.fresh_token(client.oauth()))
    }

    fn refresh<'a>(&'a self, client: &'a Client, rejected: &'a str) -> BoxFuture<'a, Result<String>> {
        Box::pin(self.replacement(client.oauth(), rejected))
    }
}

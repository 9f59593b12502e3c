//! A user's token that renews itself through the OAuth refresh endpoint:
//! [`RefreshingUserToken`], the ready [`UserTokenSource`](crate::UserTokenSource).

use std::fmt;
use std::time::Duration;

use crate::auth::oauth::{OAuth, UserToken};
use crate::core::error::Result;

/// Refresh this long before the access token expires.
const EARLY: Duration = Duration::from_secs(300);

type OnRefresh = Box<dyn Fn(&UserToken) + Send + Sync>;

/// A user's token that refreshes itself through the OAuth v2 endpoint, early (five
/// minutes before expiry) and when the platform rejects it.
///
/// Share one per user (in an `Arc`): concurrent calls then wait for a single refresh,
/// which matters because each refresh token works only once. Persist every new token in
/// [`on_refresh`](Self::on_refresh), or the next process start holds a spent refresh token.
///
/// ```no_run
/// # async fn run(client: lark_runtime::Client, request: lark_runtime::Request, token: lark_runtime::UserToken) -> lark_runtime::Result<()> {
/// use std::sync::Arc;
/// use lark_runtime::RefreshingUserToken;
///
/// let user = Arc::new(RefreshingUserToken::new(token).on_refresh(|fresh| {
///     // save fresh.access_token(), fresh.refresh_token(), fresh.expires_at()
/// #   let _ = fresh;
/// }));
/// let me: serde_json::Value = client.call(request).user_token_source(user.clone()).await?;
/// # let _ = me;
/// # Ok(())
/// # }
/// ```
pub struct RefreshingUserToken {
    /// Held across a refresh, so that concurrent callers share it.
    token: tokio::sync::Mutex<UserToken>,
    on_refresh: Option<OnRefresh>,
}

impl RefreshingUserToken {
    /// Starts from a token obtained earlier (code exchange or storage).
    pub fn new(token: UserToken) -> Self {
        RefreshingUserToken { token: tokio::sync::Mutex::new(token), on_refresh: None }
    }

    /// Calls `hook` with every new token, to persist it.
    pub fn on_refresh(mut self, hook: impl Fn(&UserToken) + Send + Sync + 'static) -> Self {
        self.on_refresh = Some(Box::new(hook));
        self
    }

    /// The token held now.
    pub async fn current(&self) -> UserToken {
        self.token.lock().await.clone()
    }

    /// Refreshes the held token; without a refresh token (the app did not ask for
    /// `offline_access`) it stays as it is.
    async fn renew(&self, oauth: OAuth<'_>, held: &mut UserToken) -> Result<String> {
        let Some(refresh) = held.refresh_token() else {
            return Ok(held.access_token().to_owned());
        };
        let fresh = oauth.refresh(refresh).await?;
        if let Some(hook) = &self.on_refresh {
            hook(&fresh);
        }
        *held = fresh;
        Ok(held.access_token().to_owned())
    }

    /// A token to send now, refreshed first if it expires within five minutes.
    pub(crate) async fn fresh_token(&self, oauth: OAuth<'_>) -> Result<String> {
        let mut held = self.token.lock().await;
        if held.expires_within(EARLY) {
            return self.renew(oauth, &mut held).await;
        }
        Ok(held.access_token().to_owned())
    }

    /// A token in place of `rejected`: the one another caller already renewed, else a
    /// refreshed one.
    pub(crate) async fn replacement(&self, oauth: OAuth<'_>, rejected: &str) -> Result<String> {
        let mut held = self.token.lock().await;
        if held.access_token() != rejected {
            return Ok(held.access_token().to_owned());
        }
        self.renew(oauth, &mut held).await
    }
}

impl fmt::Debug for RefreshingUserToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshingUserToken").finish_non_exhaustive()
    }
}

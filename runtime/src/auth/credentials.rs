//! The app's identity: its id, its secret, and whether it is self-built or sold in the
//! app store.

use crate::core::secret::Secret;

/// Whether the app is built for one tenant or sold in the app store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AppType {
    /// A custom app built by and for one tenant (the usual case).
    #[default]
    SelfBuilt,
    /// An app store app, installed by many tenants. Its tokens need the `app_ticket`
    /// the platform pushes as an event (hand it to
    /// [`Client::set_app_ticket`](crate::Client::set_app_ticket)), and tenant-token calls
    /// need [`Call::tenant_key`](crate::Call::tenant_key).
    Store,
}

/// The app's credentials, from the developer console. `Debug` never shows the secret.
#[derive(Debug)]
pub(crate) struct Credentials {
    pub app_id: String,
    pub app_secret: Secret,
    pub app_type: AppType,
}

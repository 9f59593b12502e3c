//! Reading a request body up to the webhook's size limit; shared by the adapters.
//!
//! The limit is applied while reading, so an oversized body is refused after `limit`
//! bytes instead of being buffered whole first.

use std::error::Error as StdError;

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::{Endpoint, Rejection, Webhook, reject};

/// Reads `request`'s body within the limit and handles it at `endpoint`.
pub(crate) async fn serve<B>(webhook: &Webhook, endpoint: Endpoint, request: Request<B>) -> Response<Bytes>
where
    B: Body,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let (parts, body) = request.into_parts();
    match read(body, webhook.max_body_bytes()).await {
        Ok(bytes) => webhook.handle_at(endpoint, Request::from_parts(parts, bytes)).await,
        Err(rejection) => reject(endpoint, &rejection),
    }
}

async fn read<B>(body: B, limit: usize) -> Result<Bytes, Rejection>
where
    B: Body,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(Rejection::BodyTooLarge { limit }),
        Err(_) => Err(Rejection::BodyUnreadable),
    }
}

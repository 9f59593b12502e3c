//! The binary frame every WebSocket message carries: one protobuf (proto2) `Frame`.
//!
//! The messages are written by hand with `prost`'s derive, so no `protoc` and no build
//! script are needed. Decoding never panics: a bad frame is a [`FrameError`].

use bytes::Bytes;
use prost::Message;

/// `method` of a control frame (ping, pong).
pub const METHOD_CONTROL: i32 = 0;
/// `method` of a data frame (event, card callback).
pub const METHOD_DATA: i32 = 1;

/// Header key: the frame type (`event`, `card`, `ping`, `pong`).
pub const HEADER_TYPE: &str = "type";
/// Header key: the id shared by the parts of one message.
pub const HEADER_MESSAGE_ID: &str = "message_id";
/// Header key: how many parts the message was split into.
pub const HEADER_SUM: &str = "sum";
/// Header key: this part's index, from 0.
pub const HEADER_SEQ: &str = "seq";
/// Header key: the platform's trace id.
pub const HEADER_TRACE_ID: &str = "trace_id";
/// Header key: when the platform sent the message.
pub const HEADER_TIMESTAMP: &str = "timestamp";
/// Header key of an acknowledgement: how long the handler took, in milliseconds.
pub const HEADER_BIZ_RT: &str = "biz_rt";

/// One key/value header of a [`Frame`].
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Header {
    /// The header name.
    #[prost(string, required, tag = "1")]
    pub key: String,
    /// The header value.
    #[prost(string, required, tag = "2")]
    pub value: String,
}

/// One WebSocket binary message.
///
/// `prost` also generates accessors for the optional fields, such as
/// [`payload()`](Frame::payload), which is empty when there is no payload.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Frame {
    /// `SeqID`.
    #[prost(uint64, required, tag = "1")]
    pub seq_id: u64,
    /// `LogID`.
    #[prost(uint64, required, tag = "2")]
    pub log_id: u64,
    /// The service id (from the `service_id` query parameter of the socket URL).
    #[prost(int32, required, tag = "3")]
    pub service: i32,
    /// [`METHOD_CONTROL`] or [`METHOD_DATA`].
    #[prost(int32, required, tag = "4")]
    pub method: i32,
    /// The headers, in order.
    #[prost(message, repeated, tag = "5")]
    pub headers: Vec<Header>,
    /// `payload_encoding`.
    #[prost(string, optional, tag = "6")]
    pub payload_encoding: Option<String>,
    /// `payload_type`.
    #[prost(string, optional, tag = "7")]
    pub payload_type: Option<String>,
    /// The payload: event JSON for data frames, a client configuration for some pongs.
    #[prost(bytes = "vec", optional, tag = "8")]
    pub payload: Option<Vec<u8>>,
    /// `LogIDNew`.
    #[prost(string, optional, tag = "9")]
    pub log_id_new: Option<String>,
}

/// A binary message that is not a valid frame.
#[derive(Debug, thiserror::Error)]
#[error("invalid frame: {0}")]
pub struct FrameError(String);

impl FrameError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        FrameError(message.into())
    }
}

impl Frame {
    /// Decodes a frame from the bytes of one binary WebSocket message.
    pub fn from_bytes(bytes: &[u8]) -> Result<Frame, FrameError> {
        Frame::decode(bytes).map_err(|e| FrameError(e.to_string()))
    }

    /// Encodes the frame for one binary WebSocket message.
    pub fn to_bytes(&self) -> Bytes {
        Bytes::from(self.encode_to_vec())
    }

    /// A control frame of this `type` (`ping`, `pong`) for the service.
    pub fn control(kind: &str, service: i32) -> Frame {
        Frame { service, method: METHOD_CONTROL, ..Frame::default() }.with_header(HEADER_TYPE, kind)
    }

    /// The value of the first header named `key`.
    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers.iter().find(|h| h.key == key).map(|h| h.value.as_str())
    }

    /// The frame with one more header.
    pub fn with_header(mut self, key: impl Into<String>, value: impl Into<String>) -> Frame {
        self.headers.push(Header { key: key.into(), value: value.into() });
        self
    }

    /// Sets `key` to `value`, replacing an existing header of that name.
    pub fn set_header(&mut self, key: &str, value: impl Into<String>) {
        match self.headers.iter_mut().find(|h| h.key == key) {
            Some(header) => header.value = value.into(),
            None => self.headers.push(Header { key: key.to_owned(), value: value.into() }),
        }
    }

    /// The `type` header.
    pub fn kind(&self) -> Option<&str> {
        self.header(HEADER_TYPE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut frame = Frame { seq_id: 3, log_id: 4, service: 7, method: METHOD_DATA, ..Frame::default() }
            .with_header(HEADER_TYPE, "event")
            .with_header(HEADER_SUM, "1");
        frame.payload = Some(b"{}".to_vec());
        frame.set_header(HEADER_SUM, "2");
        let back = Frame::from_bytes(&frame.to_bytes()).unwrap();
        assert_eq!(back, frame);
        assert_eq!(back.header(HEADER_SUM), Some("2"));
        assert_eq!(back.kind(), Some("event"));
        assert_eq!(back.payload(), b"{}");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        // A truncated varint, a length past the end, a header that is not a message.
        for bytes in [&b"\xff\xff\xff"[..], b"\x0a", b"\x2a\x05\x0a\x01", b"\x42\x10ab"] {
            assert!(Frame::from_bytes(bytes).is_err(), "{bytes:?}");
        }
        // prost does not insist on proto2 required fields: absent ones decode as zero.
        assert_eq!(Frame::from_bytes(b"").unwrap(), Frame::default());
    }
}

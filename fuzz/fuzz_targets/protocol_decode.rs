//! Fuzz target `protocol_decode`: arbitrary bytes into every decoder of the wire format.
//!
//! Owns the decoders' contract, checked on any input: decoding never panics, and whatever
//! decodes re-encodes to JSON that decodes to an equal value. That covers the serde-derived
//! [`ClientMsg`] the server reads from every socket, the hand-written [`ServerMsg`] decoder
//! (both the full one and [`ServerMsg::deserialize_for_visitor`], which must agree with it on
//! every frame it accepts), and the REST bodies.

#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::{
    ClientMsg, ErrorBody, HistoryPage, LoginRequest, ServerMsg, SessionResponse,
    VisitorSessionRequest,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

fuzz_target!(|data: &[u8]| {
    round_trip::<ClientMsg>(data);
    let full = round_trip::<ServerMsg>(data);
    if let Some(visitor) = visitor_decode(data) {
        // The visitor decoder is the full one minus the agents-only frames: anything it
        // accepts, the full decoder accepts as the same frame.
        assert_eq!(full.as_ref(), Some(&visitor), "decoders disagree");
        let json = serde_json::to_vec(&visitor).expect("a decoded frame encodes");
        let again = visitor_decode(&json).expect("a re-encoded visitor frame decodes");
        assert_eq!(visitor, again, "visitor round trip changed the frame");
    }
    round_trip::<VisitorSessionRequest>(data);
    round_trip::<LoginRequest>(data);
    round_trip::<SessionResponse>(data);
    round_trip::<HistoryPage>(data);
    round_trip::<ErrorBody>(data);
});

/// Decode `data` as `T`; if it decodes, encode and decode again and demand an equal value.
fn round_trip<T>(data: &[u8]) -> Option<T>
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let value: T = serde_json::from_slice(data).ok()?;
    let json = serde_json::to_vec(&value).expect("a decoded value encodes");
    let again: T = serde_json::from_slice(&json).unwrap_or_else(|e| {
        panic!(
            "re-encoded {} does not decode: {e}\n{}",
            std::any::type_name::<T>(),
            String::from_utf8_lossy(&json)
        )
    });
    assert_eq!(value, again, "round trip changed the value");
    Some(value)
}

/// The visitor widget's decoder, with the same trailing-input check as `from_slice`.
fn visitor_decode(data: &[u8]) -> Option<ServerMsg> {
    let mut de = serde_json::Deserializer::from_slice(data);
    let msg = ServerMsg::deserialize_for_visitor(&mut de).ok()?;
    de.end().ok()?;
    Some(msg)
}

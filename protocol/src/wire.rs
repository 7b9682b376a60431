//! How wire types are declared: three small macros that keep decoding code out of the visitor
//! bundle while serialisation stays plain serde derive (so the JSON is what the goldens pin).
//!
//! - `server_frames!` defines [`crate::ServerMsg`] and a decoder that reads the leading `type`,
//!   then the rest of the object straight into the variant (no `Content` buffering);
//! - `wire_objects!` declares structs read only as JSON objects;
//! - `wire_names!` declares unit enums read only as strings.
//!
//! It owns no types of the protocol itself.

use serde::Deserialize;

/// Defines [`ServerMsg`] and its decoder from one list of variants, so the two can never disagree.
///
/// For each variant it emits a private payload struct with the same fields (and serde
/// attributes) that derives `Deserialize`; the hand-written `Deserialize` for the enum reads the
/// leading `type`, then lets that struct read the remaining members in place.
macro_rules! server_frames {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)? }
            ),* $(,)?
        }
        $(#[$cmeta:meta])*
        not_for_anonymous {
            $(
                $(#[$cvmeta:meta])*
                $cvariant:ident { $( $(#[$cfmeta:meta])* $cfield:ident : $cty:ty ),* $(,)? }
            ),* $(,)?
        }
        $(#[$ameta:meta])*
        agents_only {
            $(
                $(#[$avmeta:meta])*
                $avariant:ident { $( $(#[$afmeta:meta])* $afield:ident : $aty:ty ),* $(,)? }
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant { $( $(#[$fmeta])* $field: $ty ),* }, )*
            $( $(#[$cvmeta])* $cvariant { $( $(#[$cfmeta])* $cfield: $cty ),* }, )*
            $( $(#[$avmeta])* $avariant { $( $(#[$afmeta])* $afield: $aty ),* }, )*
        }

        // One module per variant, inside this one (so the module `Message` cannot collide
        // with the type `Message` at the crate root).
        #[allow(non_snake_case)]
        mod server_frame_payloads {
            $(
                pub(super) mod $variant {
                    use super::super::*;
                    #[derive(serde::Deserialize)]
                    pub(crate) struct Payload { $( $(#[$fmeta])* pub(crate) $field: $ty ),* }
                }
            )*
            $(
                pub(super) mod $cvariant {
                    use super::super::*;
                    #[derive(serde::Deserialize)]
                    pub(crate) struct Payload { $( $(#[$cfmeta])* pub(crate) $cfield: $cty ),* }
                }
            )*
            $(
                pub(super) mod $avariant {
                    use super::super::*;
                    #[derive(serde::Deserialize)]
                    pub(crate) struct Payload { $( $(#[$afmeta])* pub(crate) $afield: $aty ),* }
                }
            )*
        }

        wire_names! {
            /// The `type` values, spelled exactly as `Serialize` spells them (same `rename_all`).
            enum ServerTag { $( $variant, )* $( $cvariant, )* $( $avariant, )* }
        }

        wire_names! {
            /// The `type` values an anonymous visitor reads, and `Other` for the rest: its
            /// decoder holds none of the other frames' names.
            enum AnonymousTag {
                $( $variant, )*
                #[serde(other)]
                Other,
            }
        }

        /// Who is reading: what [`FrameVisitor`] accepts beyond the frames for everyone.
        const ANONYMOUS: u8 = 0;
        const CONTACT: u8 = 1;
        const AGENT: u8 = 2;

        /// Reads a frame: the leading `type`, then the rest straight into that variant.
        /// `READER` below `AGENT` refuses agent-only frames, below `CONTACT` the contacts' too
        /// (and leaves their decoding out of the build).
        struct FrameVisitor<const READER: u8>;

        impl<'de, const READER: u8> serde::de::Visitor<'de> for FrameVisitor<READER> {
            type Value = $name;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object whose first member is \"type\"")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                match map.next_key::<crate::wire::TypeKey>()? {
                    Some(crate::wire::TypeKey::Type) => {}
                    None => return Err(serde::de::Error::missing_field("type")),
                }
                let tag: ServerTag = if READER == ANONYMOUS {
                    match map.next_value::<AnonymousTag>()? {
                        $( AnonymousTag::$variant => ServerTag::$variant, )*
                        AnonymousTag::Other => {
                            return Err(serde::de::Error::custom("an agents-only frame"));
                        }
                    }
                } else {
                    map.next_value()?
                };
                use serde::Deserialize as _;
                let rest = serde::de::value::MapAccessDeserializer::new(map);
                Ok(match tag {
                    $(
                        ServerTag::$variant => {
                            let _p = server_frame_payloads::$variant::Payload::deserialize(rest)?;
                            $name::$variant { $( $field: _p.$field ),* }
                        }
                    )*
                    $(
                        ServerTag::$cvariant if READER >= CONTACT => {
                            let _p = server_frame_payloads::$cvariant::Payload::deserialize(rest)?;
                            $name::$cvariant { $( $cfield: _p.$cfield ),* }
                        }
                    )*
                    $(
                        ServerTag::$avariant if READER >= AGENT => {
                            let _p = server_frame_payloads::$avariant::Payload::deserialize(rest)?;
                            $name::$avariant { $( $afield: _p.$afield ),* }
                        }
                    )*
                    #[allow(unreachable_patterns)]
                    _ => return Err(serde::de::Error::custom("an agents-only frame")),
                })
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_map(FrameVisitor::<AGENT>)
            }
        }

        impl $name {
            /// Like `deserialize`, but refuses every frame an anonymous visitor never gets: the
            /// anonymous widget's decoder, so their decoding is not compiled into its bundle.
            pub fn deserialize_for_visitor<'de, D: serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                deserializer.deserialize_map(FrameVisitor::<ANONYMOUS>)
            }

            /// Like `deserialize`, but refuses the agents-only frames: a verified contact's
            /// widget's decoder (the visitor frames and the ticket frame).
            pub fn deserialize_for_contact<'de, D: serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                deserializer.deserialize_map(FrameVisitor::<CONTACT>)
            }
        }
    };
}

/// Declares a JSON object type: `Serialize` is derived; `Deserialize` reads only the object
/// form (`{...}`) through a derived private twin with the same fields and attributes.
///
/// Why: a derived `Deserialize` also accepts a struct written as a JSON array, and that second
/// path is compiled into the widget for every nested type, though no peer ever sends one.
/// Reading through `deserialize_map` leaves it unreachable, so it is not in the bundle.
/// Exported so the widget's own stored JSON (session, outbox) is read the same lean way.
#[macro_export]
macro_rules! wire_objects {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
        pub struct $name { $( $(#[$fmeta])* pub $field: $ty ),* }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[allow(non_snake_case)]
                mod twin {
                    #[allow(unused_imports)]
                    use super::*;
                    #[derive(serde::Deserialize)]
                    #[serde(rename = "object")]
                    pub(super) struct $name { $( $(#[$fmeta])* pub(super) $field: $ty ),* }
                }
                let t: twin::$name =
                    deserializer.deserialize_map($crate::wire::ObjectOnly(std::marker::PhantomData))?;
                Ok($name { $( $field: t.$field ),* })
            }
        }
    };
}

/// Visits a JSON object and hands its members to `T`'s derived visitor (see `wire_objects!`).
#[doc(hidden)]
pub struct ObjectOnly<T>(pub std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for ObjectOnly<T> {
    type Value = T;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
    }
}

/// Declares an enum written on the wire as a bare snake_case string (`"visitor"`, `"ended"`).
/// `Serialize` is derived; `Deserialize` accepts only the string form, through a derived twin
/// (for the same reason as `wire_objects!`: serde's generic enum path, which also accepts
/// `{"variant": ...}`, would otherwise be compiled into the widget for each of these).
macro_rules! wire_names {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(rename_all = "snake_case")]
        $vis enum $name { $( $(#[$vmeta])* $variant ),* }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(serde::Deserialize)]
                #[serde(rename_all = "snake_case")]
                enum Twin { $( $(#[$vmeta])* $variant ),* }
                let t: Twin = deserializer.deserialize_str(crate::wire::NameOnly(std::marker::PhantomData))?;
                Ok(match t { $( Twin::$variant => $name::$variant ),* })
            }
        }
    };
}

/// Visits a string and hands it to `T`'s derived unit-variant matcher (see `wire_names!`).
pub(crate) struct NameOnly<T>(pub(crate) std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for NameOnly<T> {
    type Value = T;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a name")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        T::deserialize(serde::de::IntoDeserializer::<E>::into_deserializer(v))
    }
}

/// `skip_serializing_if` for optional flags: a `false` flag is left out, so frames that do not
/// need it keep the exact shape they had before the flag existed.
pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

wire_names! {
    /// The only key accepted first in a server frame (`Type` is `"type"` in snake_case).
    pub(crate) enum TypeKey {
        Type,
    }
}

//! Deserialization that finds every fault of a document, not only the first.
//!
//! serde stops at the first error, and a derived `Deserialize` cannot go on without a value for
//! the field that failed. So the document is deserialized in passes over a `serde_json::Value`:
//! a pass that fails records the fault and where it stopped; the next pass leaves that value out
//! (a bad value, an unknown key) or puts a stand-in where a required field is missing, and goes
//! on to the next fault. Each pass finds at least one new fault, so a document with six faults
//! takes seven passes over a small tree. The stand-in is chosen from what the field's type asks
//! for (a date, a string, a number, the first variant of an enum); when no stand-in satisfies
//! the type, the faults found so far are the answer.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde::de::value::{MapDeserializer, SeqDeserializer, StrDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, Expected, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, Visitor,
};
use serde_json::{Map, Value};

type Error = serde_json::Error;

/// The error that unwinds a pass once its fault is recorded.
const ABORT: &str = "\u{1f}samverkan-abort";
/// Enough for any body the service takes; a document with more faults reports these.
const MAX_PASSES: usize = 100;

/// What the leaves of the tree are: JSON values, or the strings of a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaves {
    Json,
    Query,
}

/// One fault: the JSON pointer of the value (or, for a missing or unknown field, of the object
/// that lacks or has it) and serde's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub pointer: String,
    pub message: String,
}

/// `T` from `value`, or every fault found in it.
pub fn deserialize<T: DeserializeOwned>(value: &Value, leaves: Leaves) -> Result<T, Vec<Fault>> {
    let mut faults: Vec<Fault> = Vec::new();
    let mut skipped = BTreeSet::new();
    let mut stand_ins = BTreeMap::new();
    for _ in 0..MAX_PASSES {
        let pass = Pass {
            leaves,
            skipped: &skipped,
            stand_ins: &stand_ins,
            found: RefCell::new(Vec::new()),
            stop: RefCell::new(None),
        };
        let result = T::deserialize(Node {
            value,
            path: String::new(),
            pass: &pass,
        });
        for fault in pass.found.into_inner() {
            if !faults.contains(&fault) {
                faults.push(fault);
            }
        }
        let error = match result {
            Ok(value) if faults.is_empty() => return Ok(value),
            Ok(_) => return Err(faults),
            Err(error) => error,
        };
        match pass.stop.into_inner() {
            Some(Stop::Value(pointer)) if !pointer.is_empty() && !skipped.contains(&pointer) => {
                skipped.insert(pointer);
            }
            Some(Stop::Missing(pointer)) if !stand_ins.contains_key(&pointer) => {
                stand_ins.insert(pointer, 0);
            }
            Some(Stop::StandIn(pointer)) => {
                let candidate = stand_ins.entry(pointer).or_insert(0);
                *candidate += 1;
                if *candidate >= STRINGS.len() {
                    break;
                }
            }
            Some(_) => break,
            None => {
                if !is_abort(&error) {
                    faults.push(Fault {
                        pointer: String::new(),
                        message: error.to_string(),
                    });
                }
                break;
            }
        }
    }
    if faults.is_empty() {
        faults.push(Fault {
            pointer: String::new(),
            message: "invalid value".into(),
        });
    }
    Err(faults)
}

enum Stop {
    /// A value (or an unknown key) that the next pass leaves out.
    Value(String),
    /// A required field that the next pass fills with a stand-in.
    Missing(String),
    /// A stand-in the field's type refused: the next pass tries the next candidate.
    StandIn(String),
}

struct Pass<'s> {
    leaves: Leaves,
    skipped: &'s BTreeSet<String>,
    stand_ins: &'s BTreeMap<String, usize>,
    found: RefCell<Vec<Fault>>,
    stop: RefCell<Option<Stop>>,
}

impl<'s> Pass<'s> {
    /// Records the fault at `pointer` and unwinds the pass.
    fn fail(&self, pointer: &str, error: Error, stop: Stop) -> Error {
        if is_abort(&error) {
            return error;
        }
        self.found.borrow_mut().push(Fault {
            pointer: pointer.to_string(),
            message: error.to_string(),
        });
        self.stopped(stop)
    }

    fn stopped(&self, stop: Stop) -> Error {
        self.stop.borrow_mut().get_or_insert(stop);
        de::Error::custom(ABORT)
    }

    /// `seed` over the value at `pointer`; a fault there is recorded, and the next pass leaves
    /// that value out.
    fn read<'de, S: DeserializeSeed<'de>>(
        &'s self,
        seed: S,
        value: &'de Value,
        pointer: String,
    ) -> Result<S::Value, Error> {
        seed.deserialize(Node {
            value,
            path: pointer.clone(),
            pass: self,
        })
        .map_err(|e| self.fail(&pointer, e, Stop::Value(pointer.clone())))
    }
}

fn is_abort(error: &Error) -> bool {
    error.to_string() == ABORT
}

pub(super) fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// Text between the first pair of backticks in a serde message.
pub(super) fn quoted(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(&message[start..end])
}

/// A value of the document at `path`.
struct Node<'de, 's> {
    value: &'de Value,
    path: String,
    pass: &'s Pass<'s>,
}

impl<'de, 's> Node<'de, 's> {
    fn object<V: Visitor<'de>>(
        self,
        map: &'de Map<String, Value>,
        visitor: V,
    ) -> Result<V::Value, Error> {
        // Stand-ins for required fields that a former pass found missing in this object.
        let prefix = format!("{}/", self.path);
        let stand_ins: Vec<(String, usize)> = self
            .pass
            .stand_ins
            .range(prefix.clone()..)
            .take_while(|(pointer, _)| pointer.starts_with(&prefix))
            .filter_map(|(pointer, candidate)| {
                let key = &pointer[prefix.len()..];
                // Absent, or present with a value a former pass left out.
                let absent =
                    !map.contains_key(&unescape(key)) || self.pass.skipped.contains(pointer);
                (!key.contains('/') && absent).then(|| (unescape(key), *candidate))
            })
            .collect();
        let pass = self.pass;
        let entries = Entries {
            entries: map.iter(),
            stand_ins: stand_ins.into_iter(),
            current: None,
            path: self.path.clone(),
            pass,
        };
        visitor.visit_map(entries).map_err(|error| {
            if is_abort(&error) {
                return error;
            }
            let message = error.to_string();
            match message
                .strip_prefix("missing field ")
                .and_then(quoted)
                .map(|field| format!("{}/{}", self.path, escape(field)))
            {
                // A field whose bad value a former pass left out is reported once, as that value.
                Some(pointer) if pass.skipped.contains(&pointer) => {
                    pass.stopped(Stop::Missing(pointer))
                }
                Some(pointer) => pass.fail(&self.path, error, Stop::Missing(pointer)),
                None => pass.fail(&self.path, error, Stop::Value(self.path.clone())),
            }
        })
    }

    fn array<V: Visitor<'de>>(self, items: &'de [Value], visitor: V) -> Result<V::Value, Error> {
        let pass = self.pass;
        let elements = Elements {
            items: items.iter().enumerate(),
            path: self.path.clone(),
            pass,
        };
        visitor
            .visit_seq(elements)
            .map_err(|error| pass.fail(&self.path, error, Stop::Value(self.path.clone())))
    }

    fn query_leaf(&self) -> Option<QueryLeaf<'de>> {
        match (self.pass.leaves, self.value) {
            (Leaves::Query, Value::String(s)) => Some(QueryLeaf(s)),
            _ => None,
        }
    }
}

/// A newtype struct is its inner value, in every deserialiser here.
macro_rules! newtype_as_inner {
    () => {
        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            visitor: V,
        ) -> Result<V::Value, Error> {
            visitor.visit_newtype_struct(self)
        }
    };
}

/// A tuple (struct) is read as a sequence, in both deserialisers.
macro_rules! tuples_as_seq {
    () => {
        fn deserialize_tuple<V: Visitor<'de>>(
            self,
            _len: usize,
            visitor: V,
        ) -> Result<V::Value, Error> {
            self.deserialize_seq(visitor)
        }

        fn deserialize_tuple_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            _len: usize,
            visitor: V,
        ) -> Result<V::Value, Error> {
            self.deserialize_seq(visitor)
        }
    };
}

/// A node's leaf: a query's string parses itself (`QueryLeaf`), anything else reads as JSON.
macro_rules! as_leaf {
    ($node:ident.$method:ident($($arg:ident),*)) => {
        match $node.query_leaf() {
            Some(leaf) => leaf.$method($($arg),*),
            None => $node.value.$method($($arg),*),
        }
    };
}

/// A leaf of the tree; a string is first held to the date forms the visitor may ask for.
macro_rules! leaf {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            if let Value::String(text) = self.value {
                strict_date(text, &visitor)?;
            }
            as_leaf!(self.$method(visitor))
        }
    )*};
}

impl<'de, 's> Deserializer<'de> for Node<'de, 's> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(map) => self.object(map, visitor),
            Value::Array(items) => self.array(items, visitor),
            _ => as_leaf!(self.deserialize_any(visitor)),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(map) => self.object(map, visitor),
            _ => self.value.deserialize_map(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Value::Object(map) => self.object(map, visitor),
            _ => self.value.deserialize_struct(name, fields, visitor),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Array(items) => self.array(items, visitor),
            _ => self.value.deserialize_seq(visitor),
        }
    }

    tuples_as_seq!();

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match (self.pass.leaves, self.value) {
            (Leaves::Json, Value::Null) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    newtype_as_inner!();

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        as_leaf!(self.deserialize_enum(name, variants, visitor))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.value.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    leaf! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_bytes deserialize_byte_buf deserialize_unit deserialize_identifier
        deserialize_str deserialize_string
    }
}

/// What chrono's visitors say they expect: a `NaiveDate`, and a `DateTime` or `NaiveDateTime`.
/// A unit test holds these to chrono's own words, so an upgrade that rewords them fails there.
const EXPECTS_DATE: &str = "a formatted date string";
const EXPECTS_DATE_TIME: &str = "date and time string";

/// Every date the service reads (bodies, merge patches, query parameters: all pass through here)
/// is `YYYY-MM-DD` with a four-digit year; every timestamp begins with one. chrono alone would
/// take `+12025-01-01`, `12025-01-01` and `2025-1-1`.
fn strict_date<'de, V: Visitor<'de>>(text: &str, visitor: &V) -> Result<(), Error> {
    let expecting = (visitor as &dyn Expected).to_string();
    let digits = |range: std::ops::Range<usize>| {
        text.get(range)
            .is_some_and(|part| part.bytes().all(|b| b.is_ascii_digit()))
    };
    let four_digit_year = digits(0..4) && text.as_bytes().get(4) == Some(&b'-');
    if expecting == EXPECTS_DATE {
        let form = text.len() == 10
            && four_digit_year
            && digits(5..7)
            && text.as_bytes()[7] == b'-'
            && digits(8..10);
        if !form || chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() {
            return Err(de::Error::custom(crate::domain::rejected(
                "invalid-value",
                crate::text::Text::DateForm,
            )));
        }
    } else if expecting.contains(EXPECTS_DATE_TIME) && !four_digit_year {
        return Err(de::Error::custom(crate::domain::rejected(
            "invalid-value",
            crate::text::Text::DateTimeForm,
        )));
    }
    Ok(())
}

/// The entries of an object, then the stand-ins of its missing required fields.
struct Entries<'de, 's> {
    entries: serde_json::map::Iter<'de>,
    stand_ins: std::vec::IntoIter<(String, usize)>,
    current: Option<Current<'de>>,
    path: String,
    pass: &'s Pass<'s>,
}

enum Current<'de> {
    Value(&'de Value, String),
    StandIn(usize, String),
}

impl<'de, 's> MapAccess<'de> for Entries<'de, 's> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        for (key, value) in self.entries.by_ref() {
            let pointer = format!("{}/{}", self.path, escape(key));
            if self.pass.skipped.contains(&pointer) {
                continue;
            }
            let key_de: StrDeserializer<'_, Error> = key.as_str().into_deserializer();
            let parsed = seed
                .deserialize(key_de)
                .map_err(|e| self.pass.fail(&pointer, e, Stop::Value(pointer.clone())))?;
            self.current = Some(Current::Value(value, pointer));
            return Ok(Some(parsed));
        }
        match self.stand_ins.next() {
            Some((key, candidate)) => {
                let pointer = format!("{}/{}", self.path, escape(&key));
                let key_de: StrDeserializer<'_, Error> = key.as_str().into_deserializer();
                let parsed = seed
                    .deserialize(key_de)
                    .map_err(|_| self.pass.stopped(Stop::StandIn(pointer.clone())))?;
                self.current = Some(Current::StandIn(candidate, pointer));
                Ok(Some(parsed))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        match self.current.take() {
            Some(Current::Value(value, pointer)) => self.pass.read(seed, value, pointer),
            Some(Current::StandIn(candidate, pointer)) => seed
                .deserialize(StandIn(candidate))
                .map_err(|_| self.pass.stopped(Stop::StandIn(pointer))),
            None => Err(de::Error::custom("a value without a key")),
        }
    }
}

/// The items of an array; a left-out item keeps the others' indices.
struct Elements<'de, 's> {
    items: std::iter::Enumerate<std::slice::Iter<'de, Value>>,
    path: String,
    pass: &'s Pass<'s>,
}

impl<'de, 's> SeqAccess<'de> for Elements<'de, 's> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        for (index, value) in self.items.by_ref() {
            let pointer = format!("{}/{index}", self.path);
            if self.pass.skipped.contains(&pointer) {
                continue;
            }
            return self.pass.read(seed, value, pointer).map(Some);
        }
        Ok(None)
    }
}

/// A query parameter's value: numbers and booleans are parsed from the text, as in a form.
struct QueryLeaf<'de>(&'de str);

macro_rules! parsed {
    ($($method:ident $ty:ty => $visit:ident,)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0.parse::<$ty>() {
                Ok(n) => visitor.$visit(n),
                Err(_) => Err(de::Error::invalid_type(Unexpected::Str(self.0), &visitor)),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for QueryLeaf<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    newtype_as_inner!();

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let variant: StrDeserializer<'_, Error> = self.0.into_deserializer();
        visitor.visit_enum(variant)
    }

    parsed! {
        deserialize_bool bool => visit_bool,
        deserialize_i8 i8 => visit_i8,
        deserialize_i16 i16 => visit_i16,
        deserialize_i32 i32 => visit_i32,
        deserialize_i64 i64 => visit_i64,
        deserialize_u8 u8 => visit_u8,
        deserialize_u16 u16 => visit_u16,
        deserialize_u32 u32 => visit_u32,
        deserialize_u64 u64 => visit_u64,
        deserialize_f32 f32 => visit_f32,
        deserialize_f64 f64 => visit_f64,
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map
        struct identifier ignored_any
    }
}

/// Stand-in texts, tried in turn for a missing required string field until its type takes one.
const STRINGS: &[&str] = &[
    "SE",
    "SEK",
    "KS 2026-00001",
    "1",
    "00000000-0000-0000-0000-000000000000",
    "x@example.org",
    "https://example.org/",
    "+46 33 35 70 00",
    "2000-01-01",
];

/// A value for a missing required field, shaped by what its type asks for; never reported.
struct StandIn(usize);

impl StandIn {
    fn text<'de, V: Visitor<'de>>(&self, visitor: &V) -> &'static str {
        let expecting = (visitor as &dyn Expected).to_string();
        if expecting.contains("date and time") || expecting.contains("datetime") {
            "2000-01-01T00:00:00Z"
        } else if expecting.contains("date") {
            "2000-01-01"
        } else {
            STRINGS.get(self.0).copied().unwrap_or("")
        }
    }
}

/// Every field of a missing nested object, each a stand-in.
struct StandInFields {
    fields: std::slice::Iter<'static, &'static str>,
    candidate: usize,
}

impl<'de> MapAccess<'de> for StandInFields {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.fields.next() {
            Some(field) => {
                let key: StrDeserializer<'_, Error> = field.into_deserializer();
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(StandIn(self.candidate))
    }
}

/// `Deserializer` methods that take a narrower type as the wider one (a stand-in `1` serves an
/// `i8` as well as an `i64`).
macro_rules! widen {
    ($($method:ident => $wider:ident),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                self.$wider(visitor)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for StandIn {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bool(false)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i64(1)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_u64(1)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f64(1.0)
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let text = self.text(&visitor);
        visitor.visit_str(text)
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_none()
    }
    newtype_as_inner!();
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(SeqDeserializer::<_, Error>::new(std::iter::empty::<()>()))
    }
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(MapDeserializer::<_, Error>::new(
            std::iter::empty::<((), ())>(),
        ))
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_map(StandInFields {
            fields: fields.iter(),
            candidate: self.0,
        })
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let first: StrDeserializer<'_, Error> =
            variants.first().copied().unwrap_or("").into_deserializer();
        visitor.visit_enum(first)
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct ignored_any
    }

    widen! {
        deserialize_i8 => deserialize_i64,
        deserialize_i16 => deserialize_i64,
        deserialize_i32 => deserialize_i64,
        deserialize_u8 => deserialize_u64,
        deserialize_u16 => deserialize_u64,
        deserialize_u32 => deserialize_u64,
        deserialize_f32 => deserialize_f64,
        deserialize_string => deserialize_str,
        deserialize_identifier => deserialize_str,
    }
    tuples_as_seq!();
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    /// A body with a field of each kind; `http::json`'s tests read it too.
    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    pub(in crate::http) struct Body {
        name: String,
        count: u32,
        kind: Kind,
        day: chrono::NaiveDate,
        #[serde(default)]
        note: Option<String>,
        #[serde(default)]
        parts: Vec<Part>,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    pub(in crate::http) struct Part {
        size: u32,
        label: String,
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    pub(in crate::http) enum Kind {
        A,
        B,
    }

    fn pointers(value: Value) -> Vec<String> {
        let mut p: Vec<String> = deserialize::<Body>(&value, Leaves::Json)
            .unwrap_err()
            .into_iter()
            .map(
                |f| match f.message.strip_prefix("missing field ").and_then(quoted) {
                    Some(field) => format!("{}/{field} required", f.pointer),
                    None => f.pointer,
                },
            )
            .collect();
        p.sort();
        p
    }

    #[test]
    fn every_fault_of_a_body_is_found() {
        let faults = pointers(json!({
            "count": "x", "kind": "C", "extra": 1, "note": 5,
            "parts": [{"size": 1, "label": "a"}, {"size": -1}, {"label": 3, "more": true}]
        }));
        assert_eq!(
            faults,
            vec![
                "/count",
                "/day required",
                "/extra",
                "/kind",
                "/name required",
                "/note",
                "/parts/1/label required",
                "/parts/1/size",
                "/parts/2/label",
                "/parts/2/more",
                "/parts/2/size required",
            ]
        );
    }

    #[test]
    fn chrono_still_says_what_strict_date_looks_for() {
        fn expects<T: for<'de> Deserialize<'de> + std::fmt::Debug>() -> String {
            let error = serde_json::from_value::<T>(json!(1))
                .unwrap_err()
                .to_string();
            error
                .split("expected ")
                .nth(1)
                .unwrap_or_default()
                .to_string()
        }
        assert_eq!(expects::<chrono::NaiveDate>(), EXPECTS_DATE);
        assert!(expects::<chrono::DateTime<chrono::Utc>>().contains(EXPECTS_DATE_TIME));
        assert!(expects::<chrono::NaiveDateTime>().contains(EXPECTS_DATE_TIME));
    }

    #[test]
    fn a_date_has_a_four_digit_year_in_a_body_and_in_a_query() {
        #[derive(Deserialize, Debug)]
        struct Dates {
            day: chrono::NaiveDate,
            maybe: Option<chrono::NaiveDate>,
            at: Option<chrono::DateTime<chrono::Utc>>,
        }
        for leaves in [Leaves::Json, Leaves::Query] {
            let bad = json!({"day": "+12025-01-01", "maybe": "12025-01-01", "at": "+12025-01-01T00:00:00Z"});
            let faults = deserialize::<Dates>(&bad, leaves).unwrap_err();
            let p: Vec<&str> = faults.iter().map(|f| f.pointer.as_str()).collect();
            assert_eq!(p, vec!["/day", "/maybe", "/at"], "{leaves:?}");
            assert!(crate::domain::decode(&faults[0].message).is_some());
            for wrong in [
                "2025-1-01",
                "2025-02-30",
                " 2025-01-01",
                "2025-01-01x",
                "-2025-01-01",
            ] {
                let faults = deserialize::<Dates>(&json!({"day": wrong}), leaves).unwrap_err();
                assert_eq!(faults[0].pointer, "/day", "{wrong}");
            }
            let good = json!({"day": "2025-01-01", "maybe": "0999-12-31", "at": "2026-01-01T10:00:00+01:00"});
            let dates = deserialize::<Dates>(&good, leaves).unwrap();
            assert_eq!(dates.day.to_string(), "2025-01-01");
            assert_eq!(dates.maybe.unwrap().to_string(), "0999-12-31");
            assert_eq!(dates.at.unwrap().to_rfc3339(), "2026-01-01T09:00:00+00:00");
        }
    }

    #[test]
    fn a_good_body_passes_in_one_pass_and_a_query_parses_numbers() {
        let ok = json!({"name": "n", "count": 2, "kind": "B", "day": "2026-01-01"});
        assert!(deserialize::<Body>(&ok, Leaves::Json).is_ok());

        #[derive(Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Params {
            limit: Option<u32>,
            kind: Option<Kind>,
            flag: Option<bool>,
        }
        let q = json!({"limit": "x", "kind": "NOPE", "flag": "true", "other": "1"});
        let faults = deserialize::<Params>(&q, Leaves::Query).unwrap_err();
        let mut p: Vec<&str> = faults.iter().map(|f| f.pointer.as_str()).collect();
        p.sort();
        assert_eq!(p, vec!["/kind", "/limit", "/other"]);
        let q = json!({"limit": "7", "kind": "A", "flag": "false"});
        let params = deserialize::<Params>(&q, Leaves::Query).unwrap();
        assert_eq!(params.limit, Some(7));
    }
}

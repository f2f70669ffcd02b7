//! Table definitions shared by both backends (written by hand: `diesel print-schema` would give
//! backend-specific types).

diesel::table! {
    units (code) {
        code -> Text,
        name -> Text,
        name_en -> Nullable<Text>,
        unit_type -> Text,
        parent_code -> Nullable<Text>,
        valid_from -> Nullable<Date>,
        valid_until -> Nullable<Date>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    countries (code) {
        code -> Text,
        alpha3 -> Text,
        name_sv -> Text,
        name_en -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor -> Text,
        entity_type -> Text,
        entity_id -> Text,
        action -> Text,
        version -> Integer,
        data -> Nullable<Text>,
        visible_to -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (owner, method, path, idempotency_key) {
        owner -> Text,
        method -> Text,
        path -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        state -> Text,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        response_etag -> Nullable<Text>,
        response_location -> Nullable<Text>,
        created_at -> Timestamp,
        locked_until -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(units, countries, events, idempotency_keys);

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
        txid -> BigInt,
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

diesel::table! {
    partners (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        country_code -> Text,
        city -> Nullable<Text>,
        eu_pic -> Nullable<Text>,
        organisation_number -> Nullable<Text>,
        website -> Nullable<Text>,
        archived -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contacts (id) {
        id -> Text,
        partner_id -> Text,
        name -> Text,
        role -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        retention_until -> Date,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    indicators (id) {
        id -> Text,
        import_id -> Text,
        country_code -> Text,
        source -> Text,
        edition -> Text,
        metric -> Text,
        value -> Double,
        category -> Nullable<Text>,
        url -> Nullable<Text>,
        imported_at -> Timestamp,
        imported_by -> Text,
    }
}

diesel::table! {
    assessments (id) {
        id -> Text,
        subject_key -> Text,
        country_code -> Text,
        partner_id -> Nullable<Text>,
        human_rights -> Text,
        human_rights_rationale -> Text,
        democracy -> Text,
        democracy_rationale -> Text,
        rule_of_law -> Text,
        rule_of_law_rationale -> Text,
        indicators -> Text,
        assessed_at -> Date,
        valid_until -> Date,
        status -> Text,
        drafted_by -> Text,
        published_at -> Nullable<Timestamp>,
        published_by -> Nullable<Text>,
        superseded_at -> Nullable<Timestamp>,
        superseded_by -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agreements (id) {
        id -> Text,
        title -> Text,
        description -> Nullable<Text>,
        agreement_type -> Text,
        unit_code -> Text,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        case_number -> Nullable<Text>,
        external_funding_not_possible_reason -> Nullable<Text>,
        status -> Text,
        warnings -> Text,
        registered_retroactively -> Bool,
        activated_at -> Nullable<Timestamp>,
        activated_by -> Nullable<Text>,
        ended_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
        created_by -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        end_reason -> Nullable<Text>,
        cancel_reason -> Nullable<Text>,
        lists -> Nullable<Text>,
    }
}

diesel::table! {
    agreement_partners (agreement_id, partner_id) {
        agreement_id -> Text,
        partner_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    agreement_purposes (agreement_id, purpose) {
        agreement_id -> Text,
        purpose -> Text,
    }
}

diesel::table! {
    agreement_sdgs (agreement_id, sdg) {
        agreement_id -> Text,
        sdg -> Integer,
    }
}

diesel::table! {
    agreement_fundings (agreement_id, position) {
        agreement_id -> Text,
        position -> Integer,
        source -> Text,
        programme -> Nullable<Text>,
        amount -> Text,
        currency -> Text,
    }
}

diesel::table! {
    exceptions (id) {
        id -> Text,
        agreement_id -> Text,
        partner_id -> Text,
        unit_code -> Text,
        justification -> Text,
        case_number -> Text,
        status -> Text,
        requested_by -> Text,
        withdrawn_at -> Nullable<Timestamp>,
        decision -> Nullable<Text>,
        deciding_body -> Nullable<Text>,
        delegation_reference -> Nullable<Text>,
        decided_at -> Nullable<Date>,
        protocol_paragraph -> Nullable<Text>,
        conditions -> Nullable<Text>,
        valid_from -> Nullable<Date>,
        valid_until -> Nullable<Date>,
        decided_by -> Nullable<Text>,
        decision_recorded_at -> Nullable<Timestamp>,
        revocation_deciding_body -> Nullable<Text>,
        revocation_delegation_reference -> Nullable<Text>,
        revocation_decided_at -> Nullable<Date>,
        revocation_protocol_paragraph -> Nullable<Text>,
        revocation_reason -> Nullable<Text>,
        revoked_by -> Nullable<Text>,
        revocation_recorded_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        url -> Text,
        description -> Nullable<Text>,
        event_types -> Text,
        secret -> Text,
        active -> Bool,
        last_event_id -> BigInt,
        created_by -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        event_id -> BigInt,
        event_type -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        last_attempt_at -> Nullable<Timestamp>,
        last_response_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    leases (name) {
        name -> Text,
        holder -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    sweep_marks (mark_key) {
        mark_key -> Text,
        event_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(agreement_partners -> agreements (agreement_id));
diesel::joinable!(agreement_partners -> partners (partner_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::allow_tables_to_appear_in_same_query!(
    units,
    countries,
    events,
    idempotency_keys,
    partners,
    contacts,
    indicators,
    assessments,
    agreements,
    agreement_partners,
    agreement_purposes,
    agreement_sdgs,
    agreement_fundings,
    exceptions,
    webhooks,
    webhook_deliveries,
    leases,
    sweep_marks,
);

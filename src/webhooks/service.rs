//! What a webhook write does: the subscription's fields and target checked, the write, and its
//! event (ids only: the URL may carry a token, and every reader reads the change feed).

use super::store;
use super::target::{self, AllowList, Host, Refusal};
use super::{Delivery, NewWebhook, Webhook, WebhookChanges, WebhookPatch};
use crate::config::Config;
use crate::db::AnyConnection;
use crate::events::{self, Change, EventAction};
use crate::http::access::Audience;
use crate::http::crud::{checked, written};
use crate::http::etag::Precondition;
use crate::http::problem::{ApiError, FieldError};
use crate::text::TargetRefusal;

const ENTITY: crate::events::EntityType = crate::events::EntityType::Webhook;

/// A webhook's event: ids only (the URL may carry a token and the secret is never shown), listed
/// to admins only, who alone may read subscriptions.
fn change(id: &str, action: crate::events::EventAction, version: i32) -> Change<'_> {
    Change {
        entity_type: ENTITY,
        entity_id: id,
        action,
        version,
        data: None,
        audience: Audience::Admins,
    }
}

pub fn not_found() -> ApiError {
    ApiError::not_found("webhook", "webhook")
}

/// Checks what serde cannot: lengths and the event-type filters.
fn validate(changes: &mut WebhookChanges) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let too_long = |field: &str, max: usize| {
        let text = crate::text::Text::TooLong {
            field: field.into(),
            max,
        };
        FieldError::new(format!("/{field}"), "too-long", text.msg())
    };
    if changes.url.len() > 2000 {
        errors.push(too_long("url", 2000));
    }
    changes.description = changes
        .description
        .take()
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    if changes
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 500)
    {
        errors.push(too_long("description", 500));
    }
    for (pointer, sentence) in super::filter_errors(&changes.event_types) {
        errors.push(FieldError::new(
            pointer,
            "invalid-event-type",
            if sentence.starts_with("at most") {
                crate::text::Text::TooManyEventTypes.msg()
            } else {
                crate::text::Text::EventTypeForm.msg()
            },
        ));
    }
    changes.event_types.dedup();
    crate::http::problem::unless_faults(errors, ())
}

fn refused(refusal: &Refusal) -> ApiError {
    ApiError::invalid(
        "/url",
        "target-not-allowed",
        crate::text::Text::TargetRefused {
            why: match refusal {
                Refusal::NotAUrl => TargetRefusal::NotAUrl,
                Refusal::Scheme => TargetRefusal::Scheme,
                Refusal::Credentials => TargetRefusal::Credentials,
                Refusal::NoHost => TargetRefusal::NoHost,
                Refusal::PlainHttp => TargetRefusal::PlainHttp,
                Refusal::Address(ip) => TargetRefusal::Address { ip: ip.to_string() },
            },
        }
        .msg(),
    )
}

/// Refuses at subscription time a URL that delivery would refuse: not HTTPS and not listed, or
/// resolving to an address that is neither public nor listed. A name that does not resolve now is
/// accepted over HTTPS (its deliveries are checked, and retried, when they are sent).
pub async fn check_url(config: &Config, url: &str) -> Result<(), ApiError> {
    let allow = AllowList::parse(&config.webhook_allow).map_err(ApiError::internal)?;
    let target = target::parse(url, &allow).map_err(|r| refused(&r))?;
    if let Host::Name(name) = &target.host
        && !target.host_listed
    {
        let port = target.url.port_or_known_default().unwrap_or(443);
        let resolved = tokio::time::timeout(
            std::time::Duration::from_secs(3),
            target::lookup(name, port),
        )
        .await;
        match resolved {
            Ok(Ok(addrs)) if !addrs.is_empty() => {
                let ips: Vec<_> = addrs.iter().map(|a| a.ip()).collect();
                target::check_addresses(&target, &ips, &allow).map_err(|r| refused(&r))?;
            }
            // Plain HTTP needs the addresses to be listed, which cannot be shown without them.
            _ if target.url.scheme() == "http" => return Err(refused(&Refusal::PlainHttp)),
            _ => {}
        }
    }
    Ok(())
}

/// The fields of a new subscription, checked (the target is checked apart: it takes a lookup).
pub fn subscription(new: NewWebhook) -> Result<WebhookChanges, ApiError> {
    let mut changes = WebhookChanges {
        url: new.url,
        description: new.description,
        event_types: new.event_types,
        active: new.active,
    };
    validate(&mut changes)?;
    Ok(changes)
}

/// Subscribes: the subscription receives the events after its own creation event. Answers it
/// and its signing secret.
pub fn create(
    conn: &mut AnyConnection,
    actor: &str,
    changes: &WebhookChanges,
) -> Result<(Webhook, String), ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    let secret = super::signing::generate_secret();
    let cursor = events::append(conn, actor, change(&id, EventAction::Created, 1))?;
    let row = store::insert(conn, &id, changes, &secret, cursor, actor)?;
    Ok((Webhook::from(row), secret))
}

/// How long a replaced secret keeps signing beside the new one.
pub const ROTATION_OVERLAP_HOURS: i64 = 24;

/// A new signing secret for the subscription `id`, if the precondition names its version; the
/// old one signs too for [`ROTATION_OVERLAP_HOURS`]. Answers the subscription and the new secret.
pub fn rotate_secret(
    conn: &mut AnyConnection,
    actor: &str,
    id: &str,
    precondition: &Precondition,
) -> Result<(Webhook, String), ApiError> {
    let current = current(conn, id, precondition)?;
    let secret = super::signing::generate_secret();
    let until = crate::db::now() + chrono::Duration::hours(ROTATION_OVERLAP_HOURS);
    let row = store::rotate_secret(conn, id, current.version, &secret, until)?;
    let row = written(row, current.version)?;
    events::append(conn, actor, change(id, EventAction::Updated, row.version))?;
    Ok((Webhook::from(row), secret))
}

/// The subscription as it is, if the precondition names its version.
pub fn current(
    conn: &mut AnyConnection,
    id: &str,
    precondition: &Precondition,
) -> Result<Webhook, ApiError> {
    let found = store::find(conn, id)?.map(Webhook::from);
    checked(found, not_found, precondition)
}

/// The patch merged onto `current`, checked (the target is checked apart: it takes a lookup).
pub fn changes(current: &Webhook, patch: &WebhookPatch) -> Result<WebhookChanges, ApiError> {
    let mut changes = patch.apply(current)?;
    validate(&mut changes)?;
    Ok(changes)
}

/// Writes `changes` if the subscription is still as `current` was read.
pub fn update(
    conn: &mut AnyConnection,
    actor: &str,
    current: &Webhook,
    changes: &WebhookChanges,
) -> Result<Webhook, ApiError> {
    let (id, version) = (current.id.as_str(), current.version);
    let event = events::append(conn, actor, change(id, EventAction::Updated, version + 1))?;
    // Switched on: from now, not from when it was paused.
    let cursor = (!current.active && changes.active).then_some(event);
    let row = written(store::update(conn, id, version, changes, cursor)?, version)?;
    Ok(Webhook::from(row))
}

/// The subscription and its deliveries go; nothing more is sent.
pub fn delete(
    conn: &mut AnyConnection,
    actor: &str,
    id: &str,
    precondition: &Precondition,
) -> Result<(), ApiError> {
    let current = current(conn, id, precondition)?;
    let deleted = store::delete(conn, id, current.version)?;
    let change = change(id, EventAction::Deleted, current.version + 1);
    events::deleted(conn, actor, &current, deleted, change)
}

fn delivery_not_found() -> ApiError {
    ApiError::not_found("delivery", "leverans")
}

/// Queues a delivered or failed delivery again; a pending one is 409.
pub fn redeliver(
    conn: &mut AnyConnection,
    id: &str,
    delivery_id: &str,
) -> Result<Delivery, ApiError> {
    store::find(conn, id)?.ok_or_else(not_found)?;
    store::find_delivery(conn, id, delivery_id)?.ok_or_else(delivery_not_found)?;
    if !store::requeue(conn, delivery_id)? {
        return Err(ApiError::conflict(crate::text::Text::DeliveryPending.msg()));
    }
    let row = store::find_delivery(conn, id, delivery_id)?.ok_or_else(delivery_not_found)?;
    Ok(Delivery::from(row))
}

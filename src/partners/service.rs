//! What a partner write does: the country must exist, officers may not touch the coordinators'
//! fields, archiving is its own event, and only a partner nothing refers to can be deleted.

use super::store;
use super::{NewPartner, Partner, PartnerPatch};
use crate::db::AnyConnection;
use crate::domain::CountryCode;
use crate::events::{self, Change, EventAction};
use crate::http::crud::{checked, written};
use crate::http::etag::Precondition;
use crate::http::problem::{ApiError, FieldError};
use crate::text::Text;

const ENTITY: crate::events::EntityType = crate::events::EntityType::Partner;

pub fn not_found() -> ApiError {
    ApiError::not_found("partner", "samarbetspart")
}

fn check_country(conn: &mut AnyConnection, code: &CountryCode) -> Result<(), ApiError> {
    if !crate::db::reference::country_exists(conn, code.as_str())? {
        let text = Text::NoSuchCountry {
            code: code.to_string(),
        };
        return Err(ApiError::invalid(
            "/countryCode",
            "unknown-country",
            text.msg(),
        ));
    }
    Ok(())
}

/// 403 naming each coordinator-only field an officer tried to set.
pub fn coordinator_only(fields: &[&str]) -> Result<(), ApiError> {
    if fields.is_empty() {
        return Ok(());
    }
    let errors = fields
        .iter()
        .map(|f| {
            let text = Text::CoordinatorOnly {
                fields: format!("'{f}'"),
            };
            FieldError::new(format!("/{f}"), "coordinator-only", text.msg())
        })
        .collect::<Vec<_>>();
    let text = Text::CoordinatorOnly {
        fields: fields.join(", "),
    };
    Err(ApiError::forbidden(text.msg()).with_errors(errors))
}

fn appended(
    conn: &mut AnyConnection,
    actor: &str,
    action: EventAction,
    partner: Partner,
) -> Result<Partner, ApiError> {
    events::append(
        conn,
        actor,
        Change::new(ENTITY, &partner.id, action, partner.version, &partner),
    )?;
    Ok(partner)
}

pub fn create(
    conn: &mut AnyConnection,
    actor: &str,
    new: &NewPartner,
) -> Result<Partner, ApiError> {
    check_country(conn, &new.country_code)?;
    let partner = store::insert(conn, new)?;
    appended(conn, actor, EventAction::Created, partner)
}

/// `coordinator`: the caller may change `countryCode`, `kind` and `archived` too.
pub fn update(
    conn: &mut AnyConnection,
    actor: &str,
    id: &str,
    precondition: &Precondition,
    patch: &PartnerPatch,
    coordinator: bool,
) -> Result<Partner, ApiError> {
    let current = checked(store::find(conn, id)?, not_found, precondition)?;
    let changes = patch.apply(&current)?;
    if !coordinator {
        let mut refused = Vec::new();
        if changes.country_code.as_str() != current.country_code {
            refused.push("countryCode");
        }
        if changes.kind != current.kind {
            refused.push("kind");
        }
        if changes.archived != current.archived {
            refused.push("archived");
        }
        coordinator_only(&refused)?;
    }
    check_country(conn, &changes.country_code)?;
    let partner = written(
        store::update(conn, id, current.version, &changes)?,
        current.version,
    )?;
    let action = match (current.archived, partner.archived) {
        (false, true) => EventAction::Archived,
        (true, false) => EventAction::Unarchived,
        _ => EventAction::Updated,
    };
    appended(conn, actor, action, partner)
}

/// Only a partner nothing refers to (no contact, assessment, agreement or exception) can go.
pub fn delete(
    conn: &mut AnyConnection,
    actor: &str,
    id: &str,
    precondition: &Precondition,
) -> Result<(), ApiError> {
    let current = checked(store::find(conn, id)?, not_found, precondition)?;
    if store::is_referred_to(conn, id)? {
        return Err(ApiError::conflict(Text::PartnerReferredTo.msg()));
    }
    let deleted = store::delete(conn, id, current.version)?;
    let change = Change::gone(ENTITY, id, EventAction::Deleted, current.version + 1);
    events::deleted(conn, actor, &current, deleted, change)
}

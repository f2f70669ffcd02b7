//! What a unit write does: the checks the database alone cannot make, the write and its event.

use super::store;
use super::{NewUnit, Unit, UnitChanges, UnitPatch};
use crate::db::AnyConnection;
use crate::events::{self, Change, EventAction};
use crate::http::crud::{checked, written};
use crate::http::etag::Precondition;
use crate::http::problem::{ApiError, FieldError};
use crate::text::Text;

const ENTITY: crate::events::EntityType = crate::events::EntityType::Unit;

pub fn not_found() -> ApiError {
    ApiError::not_found("unit", "enhet")
}

/// Checks what the database alone cannot say well: the parent exists and is not the unit itself or
/// below it, and the validity is in order.
fn check_unit(conn: &mut AnyConnection, code: &str, changes: &UnitChanges) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if let Some(parent) = &changes.parent_code {
        if !store::exists(conn, parent.as_str())? {
            let text = Text::NoSuchUnitCode {
                code: parent.to_string(),
            };
            errors.push(FieldError::new("/parentCode", "unknown-unit", text.msg()));
        } else if store::ancestors(conn, parent.as_str())?
            .iter()
            .any(|c| c == code)
        {
            let text = Text::UnitBelowItself;
            errors.push(FieldError::new("/parentCode", "cycle", text.msg()));
        }
    }
    if let (Some(from), Some(until)) = (changes.valid_from, changes.valid_until)
        && from > until
    {
        let text = Text::ValidUntilBeforeValidFrom;
        errors.push(FieldError::new("/validUntil", "before-start", text.msg()));
    }
    crate::http::problem::unless_faults(errors, ())
}

fn appended(
    conn: &mut AnyConnection,
    actor: &str,
    action: EventAction,
    unit: Unit,
) -> Result<Unit, ApiError> {
    events::append(
        conn,
        actor,
        Change::new(ENTITY, &unit.code, action, unit.version, &unit),
    )?;
    Ok(unit)
}

pub fn create(conn: &mut AnyConnection, actor: &str, new: &NewUnit) -> Result<Unit, ApiError> {
    let code = new.code.as_str();
    if store::exists(conn, code)? {
        let text = Text::UnitExists {
            code: code.to_string(),
        };
        return Err(ApiError::conflict(text.msg()));
    }
    let changes = UnitChanges {
        name: new.name.clone(),
        name_en: new.name_en.clone(),
        unit_type: new.unit_type,
        parent_code: new.parent_code.clone(),
        valid_from: new.valid_from,
        valid_until: new.valid_until,
    };
    check_unit(conn, code, &changes)?;
    let unit = store::insert(conn, new)?;
    appended(conn, actor, EventAction::Created, unit)
}

pub fn update(
    conn: &mut AnyConnection,
    actor: &str,
    code: &str,
    precondition: &Precondition,
    patch: &UnitPatch,
) -> Result<Unit, ApiError> {
    let current = checked(store::find(conn, code)?, not_found, precondition)?;
    let changes = patch.apply(&current)?;
    check_unit(conn, code, &changes)?;
    let unit = written(
        store::update(conn, code, current.version, &changes)?,
        current.version,
    )?;
    appended(conn, actor, EventAction::Updated, unit)
}

/// Only a unit that nothing is below can go.
pub fn delete(
    conn: &mut AnyConnection,
    actor: &str,
    code: &str,
    precondition: &Precondition,
) -> Result<(), ApiError> {
    let current = checked(store::find(conn, code)?, not_found, precondition)?;
    if store::has_children(conn, code)? {
        return Err(ApiError::conflict(Text::UnitHasChildren.msg()));
    }
    let deleted = store::delete(conn, code, current.version)?;
    let change = Change::gone(ENTITY, code, EventAction::Deleted, current.version + 1);
    events::deleted(conn, actor, &current, deleted, change)
}

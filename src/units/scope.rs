//! The one own-unit rule: which units a caller acts for (DESIGN's roles: a coordinator for all, an
//! officer for their unit and the units below it, anyone else for none).

use crate::db::AnyConnection;
use crate::http::auth::{Principal, Role};
use crate::http::problem::ApiError;
use crate::text::Text;

/// The units a caller acts for: all (coordinators) or an officer's unit and those below it.
pub enum Scope {
    All,
    Units(Vec<String>),
}

impl Scope {
    pub fn of(conn: &mut AnyConnection, principal: &Principal) -> Result<Scope, ApiError> {
        if principal.is(Role::Coordinator) {
            return Ok(Scope::All);
        }
        match &principal.unit {
            Some(unit) if principal.is(Role::Officer) => {
                Ok(Scope::Units(super::store::subtree(conn, unit)?))
            }
            _ => Ok(Scope::Units(Vec::new())),
        }
    }

    pub fn covers(&self, unit: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Units(units) => units.iter().any(|u| u == unit),
        }
    }

    pub fn require(&self, unit: &str) -> Result<(), ApiError> {
        if self.covers(unit) {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                Text::NotYourUnit {
                    unit: unit.to_string(),
                }
                .msg(),
            ))
        }
    }
}

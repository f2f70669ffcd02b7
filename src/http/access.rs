//! Who a caller acts for and what they may read: the own-unit rule (DESIGN's roles: a coordinator
//! acts for all units, an officer for their unit and the units below it, anyone else for none)
//! and the one read rule that `GET`, the lists and the change feed share ("The change feed shows
//! only what the caller may read": an event is listed exactly when `GET` of its entity, in the
//! state the event carries, would be allowed).

use super::auth::{Capability, Principal, Role};
use super::problem::ApiError;
use crate::db::AnyConnection;
use crate::db::reference::{TreeUnit, subtree, unit_tree};
use crate::policy::activation::AgreementStatus;
use crate::text::Text;

/// The units a caller acts for: all (coordinators) or an officer's unit and those below it.
pub enum Scope {
    All,
    Units(Vec<String>),
}

impl Scope {
    pub fn of(conn: &mut AnyConnection, principal: &Principal) -> Result<Scope, ApiError> {
        Ok(Scope::with_tree(conn, principal)?.0)
    }

    /// [`Scope::of`], with the units' tree when finding the scope read it (an officer's), for a
    /// write that needs a unit's row too and need not read it again.
    pub fn with_tree(
        conn: &mut AnyConnection,
        principal: &Principal,
    ) -> Result<(Scope, Option<Vec<TreeUnit>>), ApiError> {
        if principal.is(Role::Coordinator) {
            return Ok((Scope::All, None));
        }
        match &principal.unit {
            Some(unit) if principal.is(Role::Officer) => {
                let tree = unit_tree(conn)?;
                Ok((Scope::Units(subtree(&tree, unit)), Some(tree)))
            }
            _ => Ok((Scope::Units(Vec::new()), None)),
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

/// Who may read an entity in a given state. Each feature says which audience its entity has in
/// each state (one function per feature, used by its `GET` and by the events it appends); this
/// module alone says who belongs to each audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every role: units, countries, partners, published and superseded assessments, agreements
    /// that are no longer drafts, exception requests, indicator imports.
    Everyone,
    /// Coordinators: assessment drafts.
    AssessmentDrafters,
    /// A draft agreement of a unit: coordinators, the board secretary, and officers of the unit or
    /// of a unit above it. An empty unit (an event older than this rule whose agreement is gone)
    /// leaves only coordinators and the board secretary.
    AgreementDraft(String),
    /// Those who may read contact persons (personal data): officers, coordinators and the board
    /// secretary.
    ContactReaders,
    /// Admins: webhook subscriptions.
    Admins,
}

impl Audience {
    /// Who may read an agreement of `unit` in `status`: everyone, or while it is a draft only
    /// those who may read that unit's drafts.
    pub fn of_agreement(status: AgreementStatus, unit: &str) -> Audience {
        if status == AgreementStatus::Draft {
            Audience::AgreementDraft(unit.to_string())
        } else {
            Audience::Everyone
        }
    }
}

const ASSESSMENT_DRAFTERS: &str = "drafts";
const AGREEMENT_DRAFT: &str = "agreement-draft:";
const CONTACT_READERS: &str = "contacts";
const ADMINS: &str = "admins";

impl Audience {
    /// The audience as the change log stores it (`events.visible_to`; null for everyone).
    pub fn as_db(&self) -> Option<String> {
        match self {
            Audience::Everyone => None,
            Audience::AssessmentDrafters => Some(ASSESSMENT_DRAFTERS.to_string()),
            Audience::AgreementDraft(unit) => Some(format!("{AGREEMENT_DRAFT}{unit}")),
            Audience::ContactReaders => Some(CONTACT_READERS.to_string()),
            Audience::Admins => Some(ADMINS.to_string()),
        }
    }

    /// The stored audience; a value this version does not know is read as admins only (the
    /// narrowest), never as everyone.
    pub fn from_db(stored: Option<&str>) -> Audience {
        match stored {
            None => Audience::Everyone,
            Some(ASSESSMENT_DRAFTERS) => Audience::AssessmentDrafters,
            Some(CONTACT_READERS) => Audience::ContactReaders,
            Some(s) => match s.strip_prefix(AGREEMENT_DRAFT) {
                Some(unit) => Audience::AgreementDraft(unit.to_string()),
                None => Audience::Admins,
            },
        }
    }
}

/// A caller as a reader: who they are, and (for an officer, once it is needed) the units they act
/// for.
pub struct Reader<'a> {
    principal: &'a Principal,
    scope: Option<Scope>,
}

impl<'a> Reader<'a> {
    pub fn new(principal: &'a Principal) -> Self {
        Reader {
            principal,
            scope: None,
        }
    }

    /// Whether the caller may read an entity whose audience is `audience`: the one rule.
    pub fn may_read(
        &mut self,
        conn: &mut AnyConnection,
        audience: &Audience,
    ) -> Result<bool, ApiError> {
        let p = self.principal;
        if !p.has(Capability::Read) {
            return Ok(false);
        }
        Ok(match audience {
            Audience::Everyone => true,
            Audience::AssessmentDrafters => p.has(Capability::ManageAssessments),
            Audience::ContactReaders => p.has(Capability::ReadContacts),
            Audience::Admins => p.has(Capability::Administer),
            Audience::AgreementDraft(unit) => match self.draft_units(conn)? {
                None => true,
                Some(units) => units.iter().any(|u| u == unit),
            },
        })
    }

    /// The units whose draft agreements the caller may read: `None` for all (coordinators and
    /// the board secretary), else an officer's units (none for other roles). Lists filter by it.
    pub fn draft_units(&mut self, conn: &mut AnyConnection) -> Result<Option<&[String]>, ApiError> {
        let p = self.principal;
        if p.is(Role::Coordinator) || p.is(Role::BoardSecretary) {
            return Ok(None);
        }
        if self.scope.is_none() {
            self.scope = Some(Scope::of(conn, p)?);
        }
        Ok(match self.scope.as_ref() {
            Some(Scope::Units(units)) => Some(units.as_slice()),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audience_is_stored_and_read_back_as_itself() {
        for audience in [
            Audience::Everyone,
            Audience::AssessmentDrafters,
            Audience::AgreementDraft("KFN".into()),
            Audience::AgreementDraft(String::new()),
            Audience::ContactReaders,
            Audience::Admins,
        ] {
            assert_eq!(Audience::from_db(audience.as_db().as_deref()), audience);
        }
        assert_eq!(Audience::from_db(Some("casework")), Audience::Admins);
    }
}

//! What an import writes, in the caller's one transaction: the partners each row names, found by
//! id, else by name, country and kind, else created (`partners::service::create`, with its
//! event); then each agreement in its status (`agreements::service::register_imported`, with the
//! events of the normal path). A row the services refuse adds its faults, re-pointed at
//! `/rows/N/column`, and the file is refused as a whole; a dry run does all of it inside a
//! savepoint that is rolled back, so it reports exactly what the import would do.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::Connection;

use super::rows::{ImportRow, PartnerCell, pointer};
use super::{ImportSummary, ImportedAgreements, ImportedPartners, MAX_ERRORS};
use crate::agreements::AgreementStatus;
use crate::agreements::service::{Closing, register_imported};
use crate::db::AnyConnection;
use crate::domain::{CountryCode, Name};
use crate::http::problem::{ApiError, FieldError, ProblemKind};
use crate::partners::{ExternalIds, NewPartner, PartnerKind};

/// Imports `rows` as `actor`, or on a `dry_run` reports what the import would do and writes
/// nothing.
pub fn import(
    conn: &mut AnyConnection,
    actor: &str,
    rows: &[ImportRow],
    dry_run: bool,
    today: NaiveDate,
) -> Result<ImportSummary, ApiError> {
    if !dry_run {
        return write(conn, actor, rows, today);
    }
    // The savepoint is always rolled back: its error carries the summary out.
    enum Rollback {
        Done(ImportSummary),
        Failed(ApiError),
    }
    impl From<diesel::result::Error> for Rollback {
        fn from(e: diesel::result::Error) -> Self {
            Rollback::Failed(e.into())
        }
    }
    let outcome = conn.transaction::<(), Rollback, _>(|c| {
        let summary = write(c, actor, rows, today).map_err(Rollback::Failed)?;
        Err(Rollback::Done(summary))
    });
    match outcome {
        Err(Rollback::Done(summary)) => Ok(ImportSummary {
            dry_run: true,
            agreement_ids: Vec::new(),
            created_partner_ids: Vec::new(),
            ..summary
        }),
        Err(Rollback::Failed(e)) => Err(e),
        Ok(()) => Err(ApiError::internal("a dry run's savepoint committed")),
    }
}

/// The partners of the file, as they are found or created, once each.
#[derive(Default)]
struct Partners {
    by_identity: HashMap<(String, String, &'static str), String>,
    known_ids: HashMap<String, bool>,
    created: Vec<String>,
    matched: HashSet<String>,
}

impl Partners {
    /// The id of the partner `cell` names; `None` (with a fault) when it names an unknown id only.
    fn resolve(
        &mut self,
        conn: &mut AnyConnection,
        actor: &str,
        row: usize,
        cell: &PartnerCell,
        faults: &mut Vec<FieldError>,
    ) -> Result<Option<String>, ApiError> {
        if let Some(id) = &cell.id {
            let known = match self.known_ids.get(id) {
                Some(k) => *k,
                None => {
                    let k = crate::partners::store::exists(conn, id)?;
                    self.known_ids.insert(id.clone(), k);
                    k
                }
            };
            if known {
                self.matched.insert(id.clone());
                return Ok(Some(id.clone()));
            }
        }
        let Some((name, country, kind)) = &cell.identity else {
            faults.push(FieldError::new(
                pointer(row, "partners"),
                "unknown-partner",
                crate::text::Text::NoSuchPartner.msg(),
            ));
            return Ok(None);
        };
        let key = (
            name.as_str().to_string(),
            country.to_string(),
            kind.as_str(),
        );
        if let Some(id) = self.by_identity.get(&key) {
            return Ok(Some(id.clone()));
        }
        let id = match crate::partners::store::find_by_identity(conn, &key.0, &key.1, *kind)? {
            Some(id) => {
                self.matched.insert(id.clone());
                id
            }
            None => match create_partner(conn, actor, name, country, *kind) {
                Ok(id) => {
                    self.created.push(id.clone());
                    id
                }
                Err(e) if e.kind == ProblemKind::ValidationFailed => {
                    faults.extend(repointed(row, e));
                    return Ok(None);
                }
                Err(e) => return Err(e),
            },
        };
        self.by_identity.insert(key, id.clone());
        Ok(Some(id))
    }
}

fn create_partner(
    conn: &mut AnyConnection,
    actor: &str,
    name: &Name,
    country: &CountryCode,
    kind: PartnerKind,
) -> Result<String, ApiError> {
    let new = NewPartner {
        name: name.clone(),
        kind,
        country_code: country.clone(),
        city: None,
        external_ids: ExternalIds::default(),
        website: None,
        archived: false,
    };
    Ok(crate::partners::service::create(conn, actor, &new)?.id)
}

/// A service's faults about one agreement (`/partnerIds/0`, `/endDate`), at the row's cells
/// (`/rows/N/partners`, `/rows/N/endDate`); an activation rule keeps its code and partner.
fn repointed(row: usize, error: ApiError) -> Vec<FieldError> {
    let whole = FieldError::new(
        pointer(row, "status"),
        error.kind.slug(),
        error.detail.clone(),
    );
    if error.errors.is_empty() {
        return vec![whole];
    }
    error
        .errors
        .iter()
        .map(|f| {
            let field = f
                .pointer
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or("");
            let column = match field {
                "partnerIds" | "countryCode" | "name" | "kind" => "partners",
                "" => "status",
                other => other,
            };
            FieldError {
                pointer: pointer(row, column),
                ..f.clone()
            }
        })
        .collect()
}

fn write(
    conn: &mut AnyConnection,
    actor: &str,
    rows: &[ImportRow],
    today: NaiveDate,
) -> Result<ImportSummary, ApiError> {
    let mut partners = Partners::default();
    let mut faults = Vec::new();
    let mut counts = ImportedAgreements::default();
    let mut ids = Vec::with_capacity(rows.len());
    for row in rows {
        if faults.len() >= MAX_ERRORS {
            break;
        }
        let before = faults.len();
        let mut input = row.input.clone();
        for cell in &row.partners {
            if let Some(id) = partners.resolve(conn, actor, row.number, cell, &mut faults)? {
                input.partner_ids.push(id);
            }
        }
        if faults.len() > before {
            continue;
        }
        let closing = Closing {
            end_date: input.end_date,
            reason: match row.status {
                AgreementStatus::Ended => row.end_reason.clone(),
                AgreementStatus::Cancelled => row.cancel_reason.clone(),
                _ => None,
            },
        };
        match register_imported(conn, actor, &input, row.status, &closing, today) {
            Ok(agreement) => {
                counts.total += 1;
                match agreement.status {
                    AgreementStatus::Draft => counts.draft += 1,
                    AgreementStatus::Active => counts.active += 1,
                    AgreementStatus::Ended => counts.ended += 1,
                    AgreementStatus::Cancelled => counts.cancelled += 1,
                }
                ids.push(agreement.id);
            }
            Err(e)
                if matches!(
                    e.kind,
                    ProblemKind::ValidationFailed | ProblemKind::ActivationBlocked
                ) =>
            {
                faults.extend(repointed(row.number, e));
            }
            Err(e) => return Err(e),
        }
    }
    if !faults.is_empty() {
        faults.truncate(MAX_ERRORS);
        return Err(ApiError::validation(faults));
    }
    Ok(ImportSummary {
        dry_run: false,
        rows: rows.len(),
        agreements: counts,
        partners: ImportedPartners {
            created: partners.created.len(),
            matched: partners.matched.len(),
        },
        agreement_ids: ids,
        created_partner_ids: partners.created,
    })
}

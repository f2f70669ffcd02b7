//! The time sweep: writes the events that time alone causes. Assessments and granted exceptions
//! whose `validUntil` has passed expire; active agreements fall under review when an assessment or
//! exception they rest on expires, and become overdue past `endDate`; contacts past their
//! retention date are erased (the event keeps ids only); webhook deliveries older than 30 days are
//! purged. One instance at a time sweeps, under a
//! database lease; each event is written once, remembered in `sweep_marks` (unique key) in the
//! same transaction as the event, also if two sweeps overlap. After erasures (its own or a
//! request's) it rewrites the tables that held the erased data, outside any transaction, so that
//! no byte of it stays in the database files ("Erased means erased").

mod store;

use chrono::{Duration, NaiveDate};

pub use store::{release_lease, take_lease};

use crate::agreements::compliance::compliance;
use crate::agreements::store::{self as agreements, AgreementRecord};
use crate::agreements::{AgreementStatus, ComplianceReasonCode};
use crate::assessments::AssessmentStatus;
use crate::db::{AnyConnection, Db};
use crate::eligibility::explain;
use crate::eligibility::store::partner;
use crate::events::{self, Change, EntityType, EventAction};
use crate::exceptions::Exception;
use crate::http::problem::ApiError;

/// The actor of the service's own changes in the change log.
pub const ACTOR: &str = "system";
/// The lease the sweep runs under.
pub const LEASE: &str = "time-sweep";
/// How long a lease is held; a sweep that dies leaves it to the next instance after this.
const LEASE_SECONDS: i64 = 300;
/// The tables an erased contact's data was in: its row, and the stored reply of the request that
/// created it (the change log and webhook deliveries carry its ids only).
pub const ERASURE_TABLES: &[&str] = &["contacts", "idempotency_keys"];

/// What one sweep wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    /// False when another instance held the lease and nothing was done.
    pub ran: bool,
    pub assessments_expired: usize,
    pub exceptions_expired: usize,
    pub agreements_under_review: usize,
    pub agreements_overdue: usize,
    pub contacts_erased: usize,
    /// Webhook deliveries older than [`DELIVERY_RETENTION_DAYS`], removed.
    pub deliveries_purged: usize,
    /// Whether the tables that held erased data were rewritten (`Db::rewrite_after_erasure`).
    pub tables_rewritten: bool,
}

/// How long a webhook delivery is kept (DESIGN: deliveries older than 30 days are purged).
pub const DELIVERY_RETENTION_DAYS: u64 = 30;

/// Appends `change` unless `mark` was announced before; `true` when it was written now. The mark
/// and the event commit together: on PostgreSQL a concurrent sweep that inserts the same mark
/// waits for this one and then fails on the key, rolling its event back.
fn announce_once(
    conn: &mut AnyConnection,
    mark: &str,
    change: Change<'_>,
) -> Result<bool, ApiError> {
    if store::is_marked(conn, mark)? {
        return Ok(false);
    }
    let event_id = events::append(conn, ACTOR, change)?;
    store::mark(conn, mark, event_id)?;
    Ok(true)
}

/// Announces each of `ids` expired, once, each in its own transaction; `in_force` finds one still
/// in the state that expires (its version and body), or nothing to announce. How many were
/// announced now.
async fn expire<T, F>(
    db: &Db,
    ids: Vec<String>,
    entity: EntityType,
    in_force: F,
) -> Result<usize, ApiError>
where
    T: serde::Serialize,
    F: Fn(&mut AnyConnection, &str) -> Result<Option<(i32, T)>, ApiError> + Copy + Send + 'static,
{
    let mut announced = 0;
    for id in ids {
        let written = db
            .write(move |c| {
                let Some((version, body)) = in_force(c, &id)? else {
                    return Ok(false);
                };
                let mark = format!("{}.EXPIRED:{id}", entity.as_str());
                let change = Change::new(entity, &id, EventAction::Expired, version, &body);
                announce_once(c, &mark, change)
            })
            .await?;
        announced += usize::from(written);
    }
    Ok(announced)
}

/// Runs one sweep "on" `today` (a Stockholm date) as `holder`, if it gets the lease.
pub async fn run(db: &Db, holder: &str, today: NaiveDate) -> Result<SweepReport, ApiError> {
    let name = holder.to_string();
    let got = db
        .write(move |c| {
            store::take_lease(
                c,
                LEASE,
                &name,
                crate::db::now(),
                Duration::seconds(LEASE_SECONDS),
            )
        })
        .await?;
    if !got {
        return Ok(SweepReport::default());
    }
    let result = sweep(db, today).await;
    let name = holder.to_string();
    db.write(move |c| store::release_lease(c, LEASE, &name))
        .await?;
    result
}

/// The sweep itself, each announcement in its own short transaction (so that writers wait on the
/// change log's lock only briefly). Callers hold the lease.
pub async fn sweep(db: &Db, today: NaiveDate) -> Result<SweepReport, ApiError> {
    let mut report = SweepReport {
        ran: true,
        ..Default::default()
    };

    // Assessments in force whose validity has ended (validUntil is inclusive).
    let expired: Vec<String> = db
        .read(move |c| store::expired_assessments(c, today))
        .await?;
    report.assessments_expired = expire(db, expired, EntityType::Assessment, |c, id| {
        Ok(crate::assessments::store::find(c, id)?
            .filter(|a| a.status == AssessmentStatus::Published)
            .map(|a| (a.version, a)))
    })
    .await?;

    // Granted exceptions whose validity has ended.
    let expired: Vec<String> = db
        .read(move |c| store::expired_exceptions(c, today))
        .await?;
    report.exceptions_expired = expire(db, expired, EntityType::Exception, |c, id| {
        Ok(crate::exceptions::store::find_row(c, id)?
            .filter(|row| row.status == "GRANTED")
            .map(Exception::from)
            .map(|x| (x.version, x)))
    })
    .await?;

    // Active agreements: under review because something expired, and overdue past endDate.
    let candidates = db.read(move |c| store::time_candidates(c, today)).await?;
    for id in candidates {
        let (review, overdue) = db.write(move |c| announce_agreement(c, &id, today)).await?;
        report.agreements_under_review += review;
        report.agreements_overdue += usize::from(overdue);
    }

    // Contacts past their retention date: the row goes, the event keeps ids only.
    report.contacts_erased = db
        .write(move |c| crate::contacts::store::erase_past_retention(c, ACTOR, today))
        .await?;

    // Webhook deliveries older than the retention, whatever became of them.
    let before =
        (today - chrono::Days::new(DELIVERY_RETENTION_DAYS)).and_time(chrono::NaiveTime::MIN);
    report.deliveries_purged = db
        .write(move |c| crate::webhooks::store::purge_deliveries(c, before))
        .await?;
    report.tables_rewritten = rewrite_after_erasure(db).await?;
    Ok(report)
}

/// Rewrites [`ERASURE_TABLES`] when a contact was erased since they were last rewritten (the
/// newest `ERASED` event is not yet marked), so that on PostgreSQL the dead rows' bytes leave the
/// files; on SQLite it retries the WAL checkpoint. `true` when it rewrote them now. A rewrite that
/// fails (a lock not granted in time) leaves the mark unset: the next sweep tries again.
async fn rewrite_after_erasure(db: &Db) -> Result<bool, ApiError> {
    let Some(event_id) = db.read(store::newest_erasure).await? else {
        return Ok(false);
    };
    let mark = format!("ERASURE.REWRITTEN:{event_id}");
    let seen = mark.clone();
    if db.read(move |c| store::is_marked(c, &seen)).await? {
        return Ok(false);
    }
    let started = std::time::Instant::now();
    db.rewrite_after_erasure::<ApiError>(ERASURE_TABLES).await?;
    log::info!(
        "rewrote {} after an erasure in {} ms",
        ERASURE_TABLES.join(", "),
        started.elapsed().as_millis()
    );
    db.write(move |c| store::mark(c, &mark, event_id)).await?;
    Ok(true)
}

/// The time-caused findings of one active agreement: how many new causes of review were
/// announced, and whether it was announced overdue now.
fn announce_agreement(
    conn: &mut AnyConnection,
    id: &str,
    today: NaiveDate,
) -> Result<(usize, bool), ApiError> {
    let Some(record) = agreements::find(conn, id)? else {
        return Ok((0, false));
    };
    if record.status() != AgreementStatus::Active {
        return Ok((0, false));
    }
    let judged = compliance(conn, &record, today)?;
    let mut causes = Vec::new();
    for reason in judged.iter().flat_map(|c| c.reasons.iter()) {
        let Some(partner_id) = &reason.partner_id else {
            continue;
        };
        // Only what time alone causes: a new failing assessment or a revocation is a write, and
        // has its own event.
        let expired_ids = match reason.code {
            ComplianceReasonCode::NoValidAssessment | ComplianceReasonCode::ExceptionExpired => {
                expired_causes(conn, partner_id, &record, today, reason.code.as_str())?
            }
            _ => continue,
        };
        if expired_ids.is_empty() {
            continue;
        }
        causes.push(format!(
            "AGREEMENT.REVIEW_REQUIRED:{id}:{partner_id}:{}:{}",
            reason.code,
            expired_ids.join(",")
        ));
    }
    let overdue_mark = record
        .row
        .end_date
        .filter(|end| *end < today)
        .map(|end| format!("AGREEMENT.OVERDUE:{id}:{end}"));
    if causes.is_empty() && overdue_mark.is_none() {
        return Ok((0, false));
    }
    let company = crate::agreements::service::unit_is_company(conn, &record.row.unit_code)?;
    let body = crate::agreements::service::present(&record, judged, today, company);
    let mut review = 0;
    for mark in causes {
        if announce_once(
            conn,
            &mark,
            Change::new(
                EntityType::Agreement,
                id,
                EventAction::ReviewRequired,
                body.version,
                &body,
            ),
        )? {
            review += 1;
        }
    }
    let overdue = match overdue_mark {
        Some(mark) => announce_once(
            conn,
            &mark,
            Change::new(
                EntityType::Agreement,
                id,
                EventAction::Overdue,
                body.version,
                &body,
            ),
        )?,
        None => false,
    };
    Ok((review, overdue))
}

/// The ids of the expired assessments or exceptions behind a partner's failing compliance.
fn expired_causes(
    conn: &mut AnyConnection,
    partner_id: &str,
    record: &AgreementRecord,
    today: NaiveDate,
    code: &str,
) -> Result<Vec<String>, ApiError> {
    let Some(facts) = partner(conn, partner_id)? else {
        return Ok(Vec::new());
    };
    let explained = explain(conn, &facts, today, Some(&record.row.id))?;
    let mut ids: Vec<String> = if code == "NO_VALID_ASSESSMENT" {
        explained
            .assessments
            .iter()
            .filter(|a| a.valid_until < today)
            .map(|a| a.id.clone())
            .collect()
    } else {
        explained
            .exceptions
            .iter()
            .filter(|x| x.status == "GRANTED" && x.valid_until.is_some_and(|u| u < today))
            .map(|x| x.id.clone())
            .collect()
    };
    ids.sort();
    Ok(ids)
}

/// Sweeps every minute for the life of the service, as this instance (`holder`).
///
/// A sweep over the same day and the same register as this instance's last complete sweep would
/// find nothing new, and is skipped. The register is the same when the settled change log ends at
/// the same event (`events::store::settled_tip`): every write appends to it. (The register's
/// generation of `db::derived` would do on SQLite, but on PostgreSQL it changes with every commit
/// in the cluster, the sweep's own lease among them.) While events are held back by transactions
/// in flight the register is not known to be the same, and the sweep runs.
pub fn spawn(db: Db, holder: String) {
    actix_web::rt::spawn(async move {
        let mut interval = actix_web::rt::time::interval(std::time::Duration::from_secs(60));
        let mut last_swept = None;
        loop {
            interval.tick().await;
            let today = crate::policy::today();
            let seen = match db.read(events::store::settled_tip).await {
                Ok(Some(tip)) => Some((today, tip)),
                Ok(None) => None,
                Err(e) => {
                    log::warn!("time sweep failed: {e}");
                    continue;
                }
            };
            if seen.is_some() && last_swept == seen {
                continue;
            }
            match run(&db, &holder, today).await {
                Ok(r) if r.ran => {
                    log::debug!("time sweep: {r:?}");
                    last_swept = seen;
                }
                Ok(_) => {}
                Err(e) => log::warn!("time sweep failed: {e}"),
            }
        }
    });
}

//! The bare baseline: `GET /agreements/{id}` reads the agreement's row and returns it as JSON;
//! `POST /agreements` inserts the same rows the service's create writes for the agreement (the
//! row with its lists, its partners, purposes and SDGs) in one transaction and returns the row.
//! No token, no checks, no idempotency key, no change log, no middleware: the ceilings the
//! service is measured against on the same database and machine.
//!
//!   DATABASE_URL=postgres://…|sqlite://PATH BIND=127.0.0.1:18300 samverkan-baseline

use actix_web::{App, HttpResponse, HttpServer, get, post, web};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};
use serde::{Deserialize, Serialize};

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
        status -> Text,
        warnings -> Text,
        registered_retroactively -> Bool,
        created_by -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
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

#[derive(Queryable, Selectable, Serialize)]
#[diesel(table_name = agreements)]
#[serde(rename_all = "camelCase")]
struct Agreement {
    id: String,
    title: String,
    description: Option<String>,
    #[serde(rename = "type")]
    agreement_type: String,
    unit_code: String,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    case_number: Option<String>,
    status: String,
    warnings: String,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// The body the benchmark posts to both (the service's `NewAgreement`, read without checks).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewAgreement {
    title: String,
    #[serde(rename = "type")]
    agreement_type: String,
    unit_code: String,
    partner_ids: Vec<String>,
    purposes: Vec<String>,
    sdgs: Vec<i32>,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    case_number: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = agreements)]
struct AgreementInsert {
    id: String,
    title: String,
    description: Option<String>,
    agreement_type: String,
    unit_code: String,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    case_number: Option<String>,
    status: String,
    warnings: String,
    registered_retroactively: bool,
    created_by: String,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    /// The lists as the service's row keeps them (`agreements.lists`).
    lists: Option<String>,
}

#[derive(Clone)]
enum Db {
    Pg(Pool<ConnectionManager<PgConnection>>),
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
}

fn find(db: &Db, id: &str) -> Result<Option<Agreement>, String> {
    // The select's type names its backend, so each arm builds its own.
    let q = agreements::table.find(id.to_string());
    match db {
        Db::Pg(pool) => {
            let mut c = pool.get().map_err(|e| e.to_string())?;
            q.select(Agreement::as_select())
                .first(&mut c)
                .optional()
                .map_err(|e| e.to_string())
        }
        Db::Sqlite(pool) => {
            let mut c = pool.get().map_err(|e| e.to_string())?;
            q.select(Agreement::as_select())
                .first(&mut c)
                .optional()
                .map_err(|e| e.to_string())
        }
    }
}

/// The rows of one create, in one transaction on either connection type; answers the row.
macro_rules! insert_all {
    ($conn:expr, $begin:ident, $row:expr, $new:expr) => {{
        let (row, new) = ($row, $new);
        $conn.$begin(|c| {
            diesel::insert_into(agreements::table)
                .values(&row)
                .execute(c)?;
            for (position, partner) in new.partner_ids.iter().enumerate() {
                diesel::insert_into(agreement_partners::table)
                    .values((
                        agreement_partners::agreement_id.eq(&row.id),
                        agreement_partners::partner_id.eq(partner),
                        agreement_partners::position.eq(position as i32),
                    ))
                    .execute(c)?;
            }
            for purpose in &new.purposes {
                diesel::insert_into(agreement_purposes::table)
                    .values((
                        agreement_purposes::agreement_id.eq(&row.id),
                        agreement_purposes::purpose.eq(purpose),
                    ))
                    .execute(c)?;
            }
            for sdg in &new.sdgs {
                diesel::insert_into(agreement_sdgs::table)
                    .values((
                        agreement_sdgs::agreement_id.eq(&row.id),
                        agreement_sdgs::sdg.eq(sdg),
                    ))
                    .execute(c)?;
            }
            agreements::table
                .find(&row.id)
                .select(Agreement::as_select())
                .first(c)
        })
    }};
}

/// The lists of `new` as the service's row keeps them: partners in order, purposes by name, goals
/// by number, funding lines (none in the benchmark's body).
fn lists(new: &NewAgreement) -> String {
    let mut purposes = new.purposes.clone();
    purposes.sort();
    let mut sdgs = new.sdgs.clone();
    sdgs.sort_unstable();
    serde_json::json!({
        "partners": new.partner_ids,
        "purposes": purposes,
        "sdgs": sdgs,
        "fundings": [],
    })
    .to_string()
}

fn create(db: &Db, new: NewAgreement) -> Result<Agreement, String> {
    let now = chrono::Utc::now().naive_utc();
    let row = AgreementInsert {
        id: uuid::Uuid::now_v7().to_string(),
        title: new.title.clone(),
        description: None,
        agreement_type: new.agreement_type.clone(),
        unit_code: new.unit_code.clone(),
        start_date: new.start_date,
        end_date: new.end_date,
        case_number: new.case_number.clone(),
        status: "DRAFT".into(),
        warnings: "[]".into(),
        registered_retroactively: false,
        created_by: "baseline".into(),
        version: 1,
        created_at: now,
        updated_at: now,
        lists: Some(lists(&new)),
    };
    match db {
        Db::Pg(pool) => {
            let mut c = pool.get().map_err(|e| e.to_string())?;
            insert_all!(c, transaction, row, new).map_err(|e: diesel::result::Error| e.to_string())
        }
        Db::Sqlite(pool) => {
            // As the service does: the write lock taken at BEGIN, waited for within busy_timeout.
            let mut c = pool.get().map_err(|e| e.to_string())?;
            insert_all!(c, immediate_transaction, row, new)
                .map_err(|e: diesel::result::Error| e.to_string())
        }
    }
}

#[post("/agreements")]
async fn create_agreement(db: web::Data<Db>, body: web::Json<NewAgreement>) -> HttpResponse {
    let db = db.get_ref().clone();
    match web::block(move || create(&db, body.into_inner())).await {
        Ok(Ok(a)) => HttpResponse::Created().json(a),
        Ok(Err(e)) => HttpResponse::InternalServerError().body(e),
        Err(_) => HttpResponse::ServiceUnavailable().finish(),
    }
}

#[get("/agreements/{id}")]
async fn get_agreement(db: web::Data<Db>, id: web::Path<String>) -> HttpResponse {
    let db = db.get_ref().clone();
    match web::block(move || find(&db, &id)).await {
        Ok(Ok(Some(a))) => HttpResponse::Ok().json(a),
        Ok(Ok(None)) => HttpResponse::NotFound().finish(),
        _ => HttpResponse::ServiceUnavailable().finish(),
    }
}

/// The service's connection settings on SQLite, so that both meet the same locking.
#[derive(Debug)]
struct SqlitePragmas;

impl diesel::r2d2::CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        use diesel::connection::SimpleConnection;
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
             PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let bind = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:18300".into());
    // The same pool sizes as the service's defaults (16 on PostgreSQL, 8 on SQLite).
    let db = if let Some(path) = url.strip_prefix("sqlite://") {
        Db::Sqlite(
            Pool::builder()
                .max_size(8)
                .connection_customizer(Box::new(SqlitePragmas))
                .build(ConnectionManager::new(path))
                .expect("sqlite pool"),
        )
    } else {
        Db::Pg(
            Pool::builder()
                .max_size(16)
                .build(ConnectionManager::new(url))
                .expect("postgres pool"),
        )
    };
    let data = web::Data::new(db);
    HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .service(get_agreement)
            .service(create_agreement)
    })
    .bind(bind)?
    .run()
    .await
}

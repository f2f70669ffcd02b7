//! The bare baseline: `GET /agreements/{id}` reads the agreement's row and returns it as JSON.
//! No token, no checks, no middleware, no related lists: the ceiling the service is measured
//! against on the same database and machine.
//!
//!   DATABASE_URL=postgres://…|sqlite://PATH BIND=127.0.0.1:18300 samverkan-baseline

use actix_web::{App, HttpResponse, HttpServer, get, web};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};
use serde::Serialize;

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
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

#[derive(Queryable, Serialize)]
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

#[derive(Clone)]
enum Db {
    Pg(Pool<ConnectionManager<PgConnection>>),
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
}

fn find(db: &Db, id: &str) -> Result<Option<Agreement>, String> {
    let q = agreements::table.find(id.to_string());
    match db {
        Db::Pg(pool) => {
            let mut c = pool.get().map_err(|e| e.to_string())?;
            q.first(&mut c).optional().map_err(|e| e.to_string())
        }
        Db::Sqlite(pool) => {
            let mut c = pool.get().map_err(|e| e.to_string())?;
            q.first(&mut c).optional().map_err(|e| e.to_string())
        }
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

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let bind = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:18300".into());
    // The same pool sizes as the service's defaults (16 on PostgreSQL, 8 on SQLite).
    let db = if let Some(path) = url.strip_prefix("sqlite://") {
        Db::Sqlite(
            Pool::builder()
                .max_size(8)
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
    HttpServer::new(move || App::new().app_data(data.clone()).service(get_agreement))
        .bind(bind)?
        .run()
        .await
}

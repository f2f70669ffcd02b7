use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use futures_util::StreamExt;

use super::rows::{self, ImportRow};
use super::sheet::{self, FileKind};
use super::{BODY_LIMIT, ImportParams, ImportSummary, service};
use crate::http::auth::Capability;
use crate::http::crud;
use crate::http::docs as d;
use crate::http::json::{Query, digest, payload_error};
use crate::http::problem::{ApiError, ProblemKind};
use crate::policy::today;
use crate::text::Text;

/// The body, up to `BODY_LIMIT` bytes (413 beyond, before reading it when `Content-Length` says
/// so): the file is larger than the JSON bodies every other operation takes.
async fn read_file(req: &HttpRequest, mut payload: web::Payload) -> Result<web::Bytes, ApiError> {
    let too_large = || {
        let max_mib = BODY_LIMIT / (1024 * 1024);
        ApiError::new(
            ProblemKind::PayloadTooLarge,
            Text::ImportTooLarge { max_mib }.msg(),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| payload_error(e.into()))?;
        if body.len() + chunk.len() > BODY_LIMIT {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The file's rows, read off the request's thread (a 10,000-row workbook takes a while).
async fn read_rows(kind: FileKind, body: web::Bytes) -> Result<Vec<ImportRow>, ApiError> {
    web::block(move || {
        let table = sheet::read(kind, &body).map_err(ApiError::validation)?;
        rows::parse(&table)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
}

/// Import agreements / Importera samarbeten
///
/// The register a city already keeps, from a spreadsheet in the agreements export's own columns
/// (`GET /agreements` with `Accept: text/csv`): a CSV file (`text/csv`, UTF-8, comma, header row
/// first) or an Excel workbook (its first sheet, header in row 1; dates may be date cells or text,
/// numbers may be numbers or text). The header names columns in any order; `title`, `type`,
/// `unitCode` and `status` are required. Read: `title`, `description`, `type`, `unitCode`,
/// `partners`, `purposes`, `sdgs`, `fundings`, `externalFundingNotPossibleReason`, `startDate`,
/// `endDate`, `caseNumber`, `status`, `endReason`, `cancelReason`. Ignored (the register sets
/// them): `id`, `version`, `createdAt`, `updatedAt`, `compliance.*`, `warnings`,
/// `registeredRetroactively`, `boundByPolicy`, `overdue`, `activatedAt`, `activatedBy`,
/// `endedAt`, `cancelledAt`. Another column is refused.
///
/// Partners (`partnerId:name:countryCode:KIND` items): found by id, else by name, country and
/// kind, else created (with their events). Units, assessments and exceptions are not imported:
/// they exist first (an unknown unit is a fault of the row).
///
/// Statuses: `DRAFT` as registered; `ACTIVE` must pass the activation rules for today (else the
/// rule is a fault of the row; a collaboration that needs an exception is imported as a draft,
/// its exception requested and decided, then activated) and is marked `registeredRetroactively`;
/// `CANCELLED` is cancelled with `cancelReason`; `ENDED` needs `endDate` (the day it ended, not in
/// the future, not before `startDate`) and is ended with `endReason`, history that today's rules
/// do not judge. Every record written has its event, as the normal path writes it.
///
/// All or nothing, in one transaction: any fault refuses the whole file with 400 and one `errors`
/// item per fault (at most 100), pointed at `/rows/{N}/{column}` (N as a spreadsheet numbers the
/// row, the header being row 1). `dryRun=true` checks everything the import would and answers what
/// it would create, writing nothing. Limits: 32 MiB (a 10,000-row export is about 5.4 MiB as CSV)
/// and 10,000 rows, 413 beyond. Coordinators and admins.
#[utoipa::path(
    tag = "Agreements",
    operation_id = "importAgreements",
    params(ImportParams),
    request_body(
        description = "The file: the agreements export's columns, a header row and one agreement a row.",
        content(
            (String = "text/csv", example = json!("title,type,unitCode,partners,purposes,sdgs,fundings,startDate,endDate,caseNumber,status\nVänortssamarbete med Tammerfors,SISTER_CITY,KFN,:Tampereen kaupunki:FI:CITY,SISTER_CITIES;KNOWLEDGE_EXCHANGE,4;11,OWN::50000.00:SEK,2020-01-01,,KS 2019-00123,ACTIVE\n")),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ),
    ),
    responses(
        (status = 201, description = "Every row was imported.", body = ImportSummary),
        (status = 200, description = "A dry run (`dryRun=true`): what the import would create; nothing was written.", body = ImportSummary, example = json!({"dryRun": true, "rows": 1, "agreements": {"total": 1, "draft": 0, "active": 1, "ended": 0, "cancelled": 0}, "partners": {"created": 1, "matched": 0}, "agreementIds": [], "createdPartnerIds": []})),
        (status = 400, description = "One or more rows are not valid, or an ACTIVE row fails an activation rule; nothing was imported. `errors` points at each row and column as `/rows/{N}/{column}` (an activation rule's code is the item's `code`).", body = crate::http::problem::Problem, content_type = "application/problem+json", example = json!({"type": "https://samverkan.boras.se/problems/validation-failed", "title": "The request is not valid", "status": 400, "detail": "The request has 2 faults.", "instance": "/api/v1/imports/agreements", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "errors": [{"pointer": "/rows/3/startDate", "code": "invalid-date", "detail": "A date is written YYYY-MM-DD, with a four-digit year, and names a day that exists."}, {"pointer": "/rows/5/unitCode", "code": "unknown-unit", "detail": "There is no unit with this code."}]})),
        (status = 409, response = d::Conflict),
        (status = 413, description = "The file is larger than 32 MiB or has more than 10,000 rows. / Filen är för stor.", body = crate::http::problem::Problem, content_type = "application/problem+json", example = json!({"type": "https://samverkan.boras.se/problems/payload-too-large", "title": "The request body is too large", "status": 413, "detail": "The file has more than 10000 rows; import it in parts.", "instance": "/api/v1/imports/agreements", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})),
        (status = 415, description = "The body is neither CSV nor an Excel workbook. / Filen är varken CSV eller en Excel-arbetsbok.", body = crate::http::problem::Problem, content_type = "application/problem+json", example = json!({"type": "https://samverkan.boras.se/problems/unsupported-media-type", "title": "Unsupported media type", "status": 415, "detail": "The file must be CSV (text/csv) or an Excel workbook (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet).", "instance": "/api/v1/imports/agreements", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})),
    )
)]
#[post("/imports/agreements")]
pub async fn import_agreements(
    call: crud::KeyedCall,
    params: Query<ImportParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::ImportRegister)?;
    let content_type = call
        .req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let kind = FileKind::of_media_type(content_type).ok_or_else(|| {
        ApiError::new(
            ProblemKind::UnsupportedMediaType,
            Text::ImportMediaType.msg(),
        )
    })?;
    let body = read_file(&call.req, payload).await?;
    let dry_run = params.0.dry_run;
    // A dry run and an import of the same file are different requests to the same path.
    let digest = format!("{}{}", digest(&body), if dry_run { ":dry-run" } else { "" });
    let rows = read_rows(kind, body).await?;
    call.keyed(&digest, move |conn, actor| {
        let summary = service::import(conn, actor, &rows, dry_run, today())?;
        crud::unversioned(if dry_run { 200 } else { 201 }, &summary)
    })
    .await
}

/// The workbook body is bytes, not text: its schema says so (`document` runs over the assembled
/// document, as `app::exports` does for the exports).
pub fn document(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::ContentBuilder;
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let Some(item) = doc.paths.paths.get_mut("/api/v1/imports/agreements") else {
        return;
    };
    let Some(utoipa::openapi::RefOr::T(body)) =
        item.post.as_mut().and_then(|op| op.request_body.as_mut())
    else {
        return;
    };
    let schema = ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
        .description(Some(
            "An Excel workbook (.xlsx): its first sheet, the header in row 1.",
        ));
    body.content.insert(
        sheet::XLSX.to_string(),
        utoipa::openapi::RefOr::T(
            ContentBuilder::new()
                .schema(Some(schema))
                // A workbook is a zip archive; its bytes have no readable example.
                .example(Some(serde_json::json!("PK\u{3}\u{4}…")))
                .build(),
        ),
    );
}

use actix_web::{delete, get, patch, post};
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::{self, not_found};
use super::store::{self, UnitFilter};
use super::{NewUnit, Unit, UnitPatch, UnitType};
use crate::http::auth::Capability;
use crate::http::operation::item;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct UnitParams {
    /// Only units of this type.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    unit_type: Option<UnitType>,
    /// Only the units directly below this one.
    #[param(example = "KS")]
    parent_code: Option<String>,
    /// Text search in the Swedish and English names.
    #[param(example = "kultur", max_length = 200)]
    q: Option<String>,
}

item! {
    tag "Units";

    /// List units / Lista enheter
    ///
    /// The city's units, oldest first. `Accept: text/csv` returns the whole filtered list as CSV.
    #[list(get "/units", UnitParams, 200 csv(Unit, "A page of units (or CSV).", example = json!({"items": [{"code": "KFN", "name": "Kulturnämnden", "nameEn": "Culture Committee", "type": "COMMITTEE", "parentCode": "KS", "validFrom": null, "validUntil": null, "version": 1, "createdAt": "2026-11-26T09:15:00Z", "updatedAt": "2026-11-26T09:15:00Z"}], "page": 1, "limit": 20, "totalItems": 1, "totalPages": 1})))]
    async fn list_units(call, params) {
        call.require(Capability::Read)?;
        let filter = UnitFilter {
            unit_type: params.filters.unit_type,
            parent_code: params.filters.parent_code,
            q: params.filters.q,
        };
        call.list(params.paging, move |c, offset, limit| {
            store::list(c, &filter, offset, limit)
        })
        .await
    }

    /// Read a unit / Läs en enhet
    ///
    /// Every role may read units. Answers the unit with its `ETag`; `If-None-Match` with the current ETag answers 304.
    #[read(get "/units/{code}", unit("The unit's code."), 200(Unit, "The unit, with its ETag.", etag = "The unit's version."))]
    async fn get_unit(call, code) {
        call.read(Capability::Read, code, not_found, |c, code| {
            store::find(c, code.as_str())
        })
        .await
    }

    /// Create a unit / Skapa en enhet
    ///
    /// Admins only. The code is the unit's key for good; `parentCode` places it below another unit. Answers the unit with its `ETag` and `Location`; a retry with the same `Idempotency-Key` replays.
    #[create(post "/units", body = NewUnit, 201(Unit, "The unit was created."), 409(Conflict))]
    async fn create_unit(call, body) {
        call.require(Capability::Administer)?;
        let new = body.value;
        let create = move |conn: &mut _, actor: &str| service::create(conn, actor, &new);
        call.create(&body.digest, create).await
    }

    /// Change a unit / Ändra en enhet
    ///
    /// JSON Merge Patch (RFC 7396): send the fields to change; `null` clears an optional field. The
    /// code is the unit's identity and cannot change.
    #[change(patch "/units/{code}", unit("The unit's code."), body = UnitPatch, 200(Unit, "The unit as changed.", etag = "The unit's new version."))]
    async fn update_unit(call, code, patch) {
        call.write(Capability::Administer, code, move |conn, actor, code, pre| {
            service::update(conn, actor, code.as_str(), pre, &patch)
        })
        .await
    }

    /// Delete a unit / Ta bort en enhet
    ///
    /// Only a unit that nothing refers to can be deleted; a unit that has ended is given a `validUntil`
    /// instead.
    #[remove(delete "/units/{code}", unit("The unit's code."), 204("The unit was deleted."), 409(Conflict))]
    async fn delete_unit(call, code) {
        call.write(Capability::Administer, code, |conn, actor, code, pre| {
            service::delete(conn, actor, code.as_str(), pre)
        })
        .await
    }
}

use actix_web::{delete, get, patch, post};
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::{self, coordinator_only, not_found};
use super::store::{self, PartnerFilter};
use super::{NewPartner, Partner, PartnerKind, PartnerPatch};
use crate::domain::CountryCode;
use crate::http::auth::Capability;
use crate::http::operation::item;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PartnerParams {
    /// Only partners in this country (ISO 3166-1 alpha-2).
    #[param(value_type = Option<String>, example = "NO", pattern = "^[A-Z]{2}$")]
    country_code: Option<CountryCode>,
    /// Only partners of this kind.
    kind: Option<PartnerKind>,
    /// Only sister cities (`true`) or only others (`false`).
    sister_city: Option<bool>,
    /// Only archived (`true`) or only current (`false`) partners.
    archived: Option<bool>,
    /// Text search in the name and city.
    #[param(example = "example", max_length = 200)]
    q: Option<String>,
}

item! {
    tag "Partners";

    /// List partners / Lista samarbetsparter
    ///
    /// The partners, oldest first. `Accept: text/csv` returns the whole filtered list as CSV.
    #[list(get "/partners", PartnerParams, 200 csv(Partner, "A page of partners (or CSV).", example = json!({"items": [{"id": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "name": "Kommune X (example)", "kind": "CITY", "countryCode": "NO", "city": "Example City", "externalIds": {"euPic": null, "organisationNumber": null}, "website": null, "sisterCity": false, "sisterCitySince": null, "archived": false, "version": 1, "createdAt": "2026-11-26T09:15:00Z", "updatedAt": "2026-11-26T09:15:00Z"}], "page": 1, "limit": 20, "totalItems": 1, "totalPages": 1})))]
    async fn list_partners(call, params) {
        call.require(Capability::Read)?;
        let f = params.filters;
        let filter = PartnerFilter {
            country_code: f.country_code.map(CountryCode::into_inner),
            kind: f.kind,
            sister_city: f.sister_city,
            archived: f.archived,
            q: f.q,
        };
        call.list(params.paging, move |c, offset, limit| {
            store::list(c, &filter, offset, limit)
        })
        .await
    }

    /// Read a partner / Läs en samarbetspart
    ///
    /// Every role may read partners. Answers the partner with its `ETag`; `If-None-Match` with the current ETag answers 304.
    #[read(get "/partners/{id}", id("The partner's id (UUIDv7)."), 200(Partner, "The partner, with its ETag.", etag = "The partner's version."))]
    async fn get_partner(call, id) {
        call.read(Capability::Read, id, not_found, |c, id| store::find(c, id)).await
    }

    /// Create a partner / Skapa en samarbetspart
    ///
    /// Officers and coordinators; only a coordinator may create a partner already archived.
    #[create(post "/partners", body = NewPartner, 201(Partner, "The partner was created."), 409(Conflict))]
    async fn create_partner(call, body) {
        call.require(Capability::WritePartners)?;
        let new = body.value;
        if new.archived && !call.has(Capability::ManagePartners) {
            coordinator_only(&["archived"])?;
        }
        let create = move |conn: &mut _, actor: &str| service::create(conn, actor, &new);
        call.create(&body.digest, create).await
    }

    /// Change a partner / Ändra en samarbetspart
    ///
    /// JSON Merge Patch (RFC 7396). Officers change the descriptive fields (name, city, external ids,
    /// website); `countryCode`, `kind` and `archived` are for coordinators (403 naming the field).
    /// Archiving (`{"archived": true}`) keeps the partner and everything that refers to it.
    #[change(patch "/partners/{id}", id("The partner's id."), body = PartnerPatch, 200(Partner, "The partner as changed.", etag = "The partner's new version."))]
    async fn update_partner(call, id, patch) {
        let coordinator = call.has(Capability::ManagePartners);
        call.write(Capability::WritePartners, id, move |conn, actor, id, pre| {
            service::update(conn, actor, id, pre, &patch, coordinator)
        })
        .await
    }

    /// Delete a partner / Ta bort en samarbetspart
    ///
    /// Coordinators only, and only for a partner nothing refers to (no contact, assessment,
    /// agreement or exception): a partner entered by mistake. A partner that is referred to is
    /// archived instead (`PATCH {"archived": true}`); deleting it is refused with 409.
    #[remove(delete "/partners/{id}", id("The partner's id."), 204("The partner was deleted."), 409(Conflict))]
    async fn delete_partner(call, id) {
        call.write(Capability::ManagePartners, id, |conn, actor, id, pre| {
            service::delete(conn, actor, id, pre)
        })
        .await
    }
}

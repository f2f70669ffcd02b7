//! The operations of a resource written once: list them (`list`), create one (`create`), and read,
//! change, delete or act on one by its path parameter (`read`, `change`, `remove`, `act`). A
//! feature's [`item!`] block names its tag, then each operation's route, the descriptions that are
//! its own and its handler's body; the macro writes the `#[utoipa::path]` block such operations
//! share (the path parameter, the page and its CSV, the 200 with its `ETag`, the merge-patch body,
//! the `If-Match` of an action, the 204, the 201), the operation id (the handler's name in
//! camelCase) and the handler's signature. The error responses every operation shares are added to the document by
//! `app::docs::CommonErrors`.
//!
//! ```text
//! item! {
//!     tag "Partners";
//!
//!     /// Read a partner / Läs en samarbetspart
//!     #[read(get "/partners/{id}", id("The partner's id."), 200(Partner, "The partner.", etag = "Its version."))]
//!     async fn get_partner(call, id) {
//!         call.read(Capability::Read, id, not_found, |c, id| store::find(c, id)).await
//!     }
//!
//!     #[change(patch "/partners/{id}", id("…"), body = PartnerPatch, 200(Partner, "…", etag = "…"))]
//!     async fn update_partner(call, id, patch) { … }
//!
//!     #[remove(delete "/partners/{id}", id("…"), 204("The partner was deleted."), 409(Conflict))]
//!     async fn delete_partner(call, id) { … }
//!
//!     #[create(post "/partners", body = NewPartner, 201(Partner, "The partner was created."))]
//!     async fn create_partner(call, body) { … }
//!
//!     // A create below one resource names its path parameter.
//!     #[create(post "/partners/{id}/contacts", id("…"), body = NewContact, 201(Contact, "…"))]
//!     async fn create_contact(call, id, body) { … }
//!
//!     // `200 csv(…)`: a page of JSON or the whole list as CSV; `200(…)`: a page of JSON only.
//!     #[list(get "/partners", PartnerParams, 200 csv(Partner, "A page of partners.", example = json!({…})))]
//!     async fn list_partners(call, params) { … }
//!
//!     // A list below one resource names its path parameter (`crud::NoFilters`: no filters).
//!     #[list(get "/partners/{id}/contacts", id("…"), NoFilters, 200 csv(Contact, "…", example = json!({…})))]
//!     async fn list_contacts(call, id, params) { … }
//!
//!     // The body of an action: `[]` none (an empty object at most), `[json T]`, or
//!     // `[optional T "description"]` (JSON that may be left out).
//!     #[act(post "/agreements/{id}/end", any_id("…"), [optional EndAgreement "…"], 200(Agreement, "…", etag = "…"))]
//!     async fn end_agreement(call, id, body) { … }
//! }
//! ```
//!
//! `call` is a [`Call`](super::crud::Call) (a [`KeyedCall`](super::crud::KeyedCall) for a create
//! or an action), `body` the [`JsonBody`](super::json::JsonBody) of a create or an action,
//! `patch` the change's merge patch and `params` a list's [`ListParams`](super::paging::ListParams).
//! A read or a list may take more extractors after these (`answers: web::Data<AgreementAnswers>`).
//! The path parameter is one of:
//! - `id("…")`: a UUID (`/path/id` when it is not one), as `Result<String, ApiError>`, so that the
//!   handler refuses a caller without the capability before it looks at the id;
//! - `contact("…", "…")`: a partner's id and its contact's (`/path/contactId`), as
//!   `Result<(String, String), ApiError>`;
//! - `unit("…")`: a unit code (`/path/code`), as `Result<UnitCode, ApiError>`;
//! - `country("…")`: a country code (`/path/code`), as `Result<CountryCode, ApiError>`;
//! - `any_id("…")`: an id documented as a UUID but taken as it is (`String`): one that is not a
//!   UUID is found by no lookup, so it is 404.
//!
//! After the main response, `409(Conflict)` adds a response of `http::docs` by its status.

/// The operation id of a handler: its name in camelCase (`get_partner`: `getPartner`).
pub fn camel_case(name: &str) -> String {
    let mut id = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                id.extend(c.to_uppercase());
                upper = false;
            }
            c => id.push(c),
        }
    }
    id
}

/// Writes the operations on a resource; see the module's documentation.
macro_rules! item {
    (tag $tag:literal; $($operations:tt)*) => {
        $crate::http::operation::item!(@each $tag; $($operations)*);
    };

    (@each $tag:literal;) => {};
    (@each $tag:literal;
        $(#[doc = $doc:tt])*
        #[read($method:ident $path:literal, $kind:ident($($key_doc:literal),+),
            200($body:ident, $ok:literal, etag = $etag:literal) $(, $status:literal($response:ident))*)]
        async fn $name:ident($call:ident, $key:ident $(, $extra:ident: $extra_type:ty)*) $handler:block
        $($rest:tt)*
    ) => {
        $crate::http::operation::item!(@key $kind [$($key_doc),+] $key {
            [$(#[doc = $doc])*] $tag $name $method $path [] []
            [
                (status = 200, description = $ok, body = $body, headers(("ETag" = String, description = $etag))),
                $((status = $status, response = crate::http::docs::$response),)*
            ]
            [$call: $crate::http::crud::Call,] [$($extra: $extra_type,)*] $handler
        });
        $crate::http::operation::item!(@each $tag; $($rest)*);
    };
    (@each $tag:literal;
        $(#[doc = $doc:tt])*
        #[change($method:ident $path:literal, $kind:ident($($key_doc:literal),+), body = $patch_type:ident,
            200($body:ident, $ok:literal, etag = $etag:literal) $(, $status:literal($response:ident))*)]
        async fn $name:ident($call:ident, $key:ident, $patch:ident) $handler:block
        $($rest:tt)*
    ) => {
        $crate::http::operation::item!(@key $kind [$($key_doc),+] $key {
            [$(#[doc = $doc])*] $tag $name $method $path []
            [request_body(content = $patch_type, content_type = "application/merge-patch+json"),]
            [
                (status = 200, description = $ok, body = $body, headers(("ETag" = String, description = $etag))),
                $((status = $status, response = crate::http::docs::$response),)*
            ]
            [$call: $crate::http::crud::Call,] [$patch: $patch_type,] $handler
        });
        $crate::http::operation::item!(@each $tag; $($rest)*);
    };
    (@each $tag:literal;
        $(#[doc = $doc:tt])*
        #[remove($method:ident $path:literal, $kind:ident($($key_doc:literal),+),
            204($gone:literal) $(, $status:literal($response:ident))*)]
        async fn $name:ident($call:ident, $key:ident) $handler:block
        $($rest:tt)*
    ) => {
        $crate::http::operation::item!(@key $kind [$($key_doc),+] $key {
            [$(#[doc = $doc])*] $tag $name $method $path [] []
            [
                (status = 204, description = $gone),
                $((status = $status, response = crate::http::docs::$response),)*
            ]
            [$call: $crate::http::crud::Call,] [] $handler
        });
        $crate::http::operation::item!(@each $tag; $($rest)*);
    };
    (@each $tag:literal;
        $(#[doc = $doc:tt])*
        #[create($method:ident $path:literal, body = $new:ident,
            201($body:ident, $created:literal) $(, $status:literal($response:ident))*)]
        async fn $name:ident($call:ident, $input:ident) $handler:block
        $($rest:tt)*
    ) => {
        $crate::http::operation::item!(@create none [] unkeyed { [$(#[doc = $doc])*] $tag $name $method $path }
            $new $body $created [$($status $response)*] $call $input $handler);
        $crate::http::operation::item!(@each $tag; $($rest)*);
    };
    (@each $tag:literal;
        $(#[doc = $doc:tt])*
        #[create($method:ident $path:literal, $kind:ident($($key_doc:literal),+), body = $new:ident,
            201($body:ident, $created:literal) $(, $status:literal($response:ident))*)]
        async fn $name:ident($call:ident, $key:ident, $input:ident) $handler:block
        $($rest:tt)*
    ) => {
        $crate::http::operation::item!(@create $kind [$($key_doc),+] $key { [$(#[doc = $doc])*] $tag $name $method $path }
            $new $body $created [$($status $response)*] $call $input $handler);
        $crate::http::operation::item!(@each $tag; $($rest)*);
    };
    (@create $kind:ident $key_doc:tt $key:ident { $($head:tt)* } $new:ident $body:ident $created:literal
        [$($status:literal $response:ident)*] $call:ident $input:ident $handler:block
    ) => {
        $crate::http::operation::item!(@key $kind $key_doc $key { $($head)* []
            [request_body(content = $new, content_type = "application/json"),]
            [
                (status = 201, description = $created, body = $body),
                $((status = $status, response = crate::http::docs::$response),)*
            ]
            [$call: $crate::http::crud::KeyedCall,]
            [$input: $crate::http::json::JsonBody<$new>,]
            $handler
        });
    };

    (@each $tag:literal;
        $(#[doc = $doc:tt])*
        #[list($method:ident $path:literal, $filters:ident,
            200 $($csv:ident)? ($item:ident, $page:literal, example = json!$example:tt))]
        async fn $name:ident($call:ident, $params:ident $(, $extra:ident: $extra_type:ty)*) $handler:block
        $($rest:tt)*
    ) => {
        $crate::http::operation::item!(@page [$($csv)?] $item, $page, json!$example {
            none [] unkeyed { [$(#[doc = $doc])*] $tag $name $method $path [$crate::http::paging::Paging, $filters] [] }
        } [$call: $crate::http::crud::Call,]
            [$params: $crate::http::paging::ListParams<$filters>, $($extra: $extra_type,)*]
            $handler
        );
        $crate::http::operation::item!(@each $tag; $($rest)*);
    };
    (@each $tag:literal;
        $(#[doc = $doc:tt])*
        #[list($method:ident $path:literal, $kind:ident($($key_doc:literal),+), $filters:ident,
            200 $($csv:ident)? ($item:ident, $page:literal, example = json!$example:tt))]
        async fn $name:ident($call:ident, $key:ident, $params:ident) $handler:block
        $($rest:tt)*
    ) => {
        $crate::http::operation::item!(@page [$($csv)?] $item, $page, json!$example {
            $kind [$($key_doc),+] $key { [$(#[doc = $doc])*] $tag $name $method $path [$crate::http::paging::Paging, $filters] [] }
        } [$call: $crate::http::crud::Call,]
            [$params: $crate::http::paging::ListParams<$filters>,]
            $handler
        );
        $crate::http::operation::item!(@each $tag; $($rest)*);
    };
    (@each $tag:literal;
        $(#[doc = $doc:tt])*
        #[act($method:ident $path:literal, $kind:ident($($key_doc:literal),+), [$($body:tt)*],
            200($result:ident, $ok:literal, etag = $etag:literal) $(, $status:literal($response:ident))*)]
        async fn $name:ident($call:ident, $key:ident, $input:ident) $handler:block
        $($rest:tt)*
    ) => {
        $crate::http::operation::item!(@act_body [$($body)*] $input {
            $kind [$($key_doc),+] $key
            { [$(#[doc = $doc])*] $tag $name $method $path [$crate::http::docs::IfMatchHeader] }
            [
                (status = 200, description = $ok, body = $result, headers(("ETag" = String, description = $etag))),
                $((status = $status, response = crate::http::docs::$response),)*
            ]
            [$call: $crate::http::crud::KeyedCall,]
            $handler
        });
        $crate::http::operation::item!(@each $tag; $($rest)*);
    };

    // A page of JSON, or with `csv` also the whole list as CSV.
    (@page [] $item:ident, $page:literal, json!$example:tt {
        $kind:ident $key_doc:tt $key:ident { $($head:tt)* }
    } $($op:tt)*) => {
        $crate::http::operation::item!(@key $kind $key_doc $key { $($head)* [
            (status = 200, description = $page, body = $crate::http::paging::Page<$item>, example = json!$example),
        ] $($op)* });
    };
    (@page [csv] $item:ident, $page:literal, json!$example:tt {
        $kind:ident $key_doc:tt $key:ident { $($head:tt)* }
    } $($op:tt)*) => {
        $crate::http::operation::item!(@key $kind $key_doc $key { $($head)* [
            (status = 200, description = $page, content(
                ($crate::http::paging::Page<$item> = "application/json", example = json!$example),
                (String = "text/csv"),
            )),
        ] $($op)* });
    };

    // An action's body: none (an empty object at most), JSON, or JSON that may be left out.
    (@act_body [] $input:ident { $kind:ident $key_doc:tt $key:ident { $($head:tt)* } $($op:tt)* }) => {
        $crate::http::operation::item!(@act $kind $key_doc $key { $($head)* [] } $($op)*
            [$input: $crate::http::json::OptionalJsonBody<$crate::http::json::ActionBody>,]);
    };
    (@act_body [json $type:ident] $input:ident { $kind:ident $key_doc:tt $key:ident { $($head:tt)* } $($op:tt)* }) => {
        $crate::http::operation::item!(@act $kind $key_doc $key {
            $($head)* [request_body(content = $type, content_type = "application/json"),]
        } $($op)* [$input: $crate::http::json::JsonBody<$type>,]);
    };
    (@act_body [optional $type:ident $doc:literal] $input:ident { $kind:ident $key_doc:tt $key:ident { $($head:tt)* } $($op:tt)* }) => {
        $crate::http::operation::item!(@act $kind $key_doc $key {
            $($head)* [request_body(content = Option<$type>, description = $doc, content_type = "application/json"),]
        } $($op)* [$input: $crate::http::json::OptionalJsonBody<$type>,]);
    };
    (@act $kind:ident $key_doc:tt $key:ident { $($head:tt)* } $responses:tt $call:tt $handler:block $input:tt) => {
        $crate::http::operation::item!(@key $kind $key_doc $key { $($head)* $responses $call $input $handler });
    };

    // The path parameters' document, the type `web::Path` extracts and its parse (none: a list
    // of the whole collection).
    (@key none [] $key:ident { $($op:tt)* }) => {
        $crate::http::operation::item!(@emit [] [] $($op)*);
    };
    (@key id [$doc:literal] $key:ident { $($op:tt)* }) => {
        $crate::http::operation::item!(@emit
            [("id" = uuid::Uuid, Path, description = $doc, example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid),]
            [$key: String = $crate::http::path::path_uuid(&$key, "/path/id")]
            $($op)*
        );
    };
    (@key contact [$doc:literal, $contact_doc:literal] $key:ident { $($op:tt)* }) => {
        $crate::http::operation::item!(@emit
            [
                ("id" = uuid::Uuid, Path, description = $doc, example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid),
                ("contactId" = uuid::Uuid, Path, description = $contact_doc, example = "0192f5d2-7c1e-7d3a-9d6e-000000000009", format = Uuid),
            ]
            [$key: (String, String) = {
                let (partner, contact) = $key.into_inner();
                $crate::http::path::path_uuid(&partner, "/path/id").and_then(|partner| {
                    Ok((partner, $crate::http::path::path_uuid(&contact, "/path/contactId")?))
                })
            }]
            $($op)*
        );
    };
    (@key unit [$doc:literal] $key:ident { $($op:tt)* }) => {
        $crate::http::operation::item!(@emit
            [("code" = String, Path, description = $doc, example = "KFN", pattern = "^[A-Z0-9][A-Z0-9_-]{0,31}$"),]
            [$key: String = $crate::http::path::path_unit(&$key)]
            $($op)*
        );
    };
    (@key country [$doc:literal] $key:ident { $($op:tt)* }) => {
        $crate::http::operation::item!(@emit
            [("code" = String, Path, description = $doc, example = "NO", pattern = "^[A-Z]{2}$"),]
            [$key: String = $crate::http::path::path_country(&$key)]
            $($op)*
        );
    };
    (@key any_id [$doc:literal] $key:ident { $($op:tt)* }) => {
        $crate::http::operation::item!(@emit
            [("id" = uuid::Uuid, Path, description = $doc),]
            [$key: String = $key.into_inner()]
            $($op)*
        );
    };

    (@emit [$($param:tt)*] [$($key:ident: $path_type:ty = $parse:expr)?]
        [$($doc:tt)*] $tag:literal $name:ident $method:ident $path:literal [$($more_params:tt)*]
        [$($request:tt)*] [$($responses:tt)*] [$($call:tt)*] [$($input:tt)*] $handler:block
    ) => {
        $($doc)*
        #[utoipa::path(
            tag = $tag,
            operation_id = $crate::http::operation::camel_case(stringify!($name)),
            params($($param)* $($more_params)*),
            $($request)*
            responses($($responses)*)
        )]
        #[$method($path)]
        pub async fn $name(
            $($call)*
            $($key: actix_web::web::Path<$path_type>,)?
            $($input)*
        ) -> Result<actix_web::HttpResponse, $crate::http::problem::ApiError> {
            $(let $key = $parse;)?
            $handler
        }
    };
}

pub(crate) use item;

#[cfg(test)]
mod tests {
    #[test]
    fn an_operation_id_is_the_handler_name_in_camel_case() {
        assert_eq!(super::camel_case("get_partner"), "getPartner");
        assert_eq!(super::camel_case("request_exception"), "requestException");
        assert_eq!(super::camel_case("list"), "list");
    }
}

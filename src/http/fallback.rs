//! Requests no route takes: 405 with `Allow` when the path exists with other methods (the
//! OpenAPI document is the route table), 404 otherwise.

use actix_web::{HttpRequest, HttpResponse, web};

use super::problem::{ApiError, ProblemKind};

/// Path templates with their methods, from the OpenAPI document.
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl RouteTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let value = serde_json::to_value(doc).unwrap_or_default();
        let mut routes = Vec::new();
        if let Some(paths) = value.get("paths").and_then(|p| p.as_object()) {
            for (path, item) in paths {
                let methods = item
                    .as_object()
                    .map(|m| {
                        m.keys()
                            .filter(|k| {
                                ["get", "put", "post", "delete", "patch"].contains(&k.as_str())
                            })
                            .map(|k| k.to_ascii_uppercase())
                            .collect()
                    })
                    .unwrap_or_default();
                routes.push((segments(path), methods));
            }
        }
        Self { routes }
    }

    /// The name of the path parameter at segment `index` of `path` (`id` for `{id}`), when a
    /// documented route has the path's shape.
    pub fn parameter_at(&self, path: &str, index: usize) -> Option<String> {
        let wanted = segments(path);
        self.routes
            .iter()
            .filter(|(template, _)| template.len() == wanted.len())
            .find_map(|(template, _)| {
                let name = template.get(index)?.strip_prefix('{')?.strip_suffix('}')?;
                let fits = template
                    .iter()
                    .zip(&wanted)
                    .enumerate()
                    .all(|(i, (t, w))| i == index || t.starts_with('{') || t == w);
                fits.then(|| name.to_string())
            })
    }

    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let wanted = segments(path);
        self.routes
            .iter()
            .find(|(template, _)| {
                template.len() == wanted.len()
                    && template
                        .iter()
                        .zip(&wanted)
                        .all(|(t, w)| t.starts_with('{') || t == w)
            })
            .map(|(_, methods)| methods.clone())
    }
}

fn segments(path: &str) -> Vec<String> {
    path.trim_end_matches('/')
        .split('/')
        .map(str::to_string)
        .collect()
}

pub async fn not_found_or_not_allowed(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    match table.allowed(req.path()) {
        Some(methods) => {
            let allow = methods.join(", ");
            let mut e = ApiError::new(
                ProblemKind::MethodNotAllowed,
                crate::text::Text::MethodNotAllowed {
                    method: req.method().to_string(),
                    allowed: allow.clone(),
                }
                .msg(),
            );
            e.allow = Some(allow);
            Err(e)
        }
        None => Err(ApiError::new(
            ProblemKind::NotFound,
            crate::text::Text::NoSuchPath.msg(),
        )),
    }
}

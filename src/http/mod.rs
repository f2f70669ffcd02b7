//! Shared HTTP mechanics: problem documents, authentication, bodies and parameters, ETags,
//! idempotency, paging, CSV and the middleware around every request.

pub mod access;
pub mod auth;
pub mod collect;
pub mod crud;
pub mod csv;
pub mod docs;
pub mod etag;
pub mod export;
pub mod fallback;
pub mod idempotency;
pub mod json;
pub mod jwks;
pub mod middleware;
pub mod operation;
pub mod paging;
pub mod path;
pub mod problem;
pub mod reply;
pub mod strict;
pub mod validate;
pub mod xlsx;

//! `GET /policy`: the policy as data (its rules from `policy::catalogue`), for every reader.

pub mod routes;

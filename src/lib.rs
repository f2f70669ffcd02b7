//! Samverkan: the API of Borås Stad's register of international collaborations.

pub mod app;
pub mod cli;
pub mod config;
pub mod countries;
pub mod db;
pub mod domain;
pub mod events;
pub mod http;
pub mod meta;
pub mod policy;
pub mod units;

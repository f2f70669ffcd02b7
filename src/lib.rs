//! Samverkan: the API of Borås Stad's register of international collaborations.

pub mod agreements;
pub mod app;
pub mod assessments;
pub mod cli;
pub mod config;
pub mod contacts;
pub mod countries;
pub mod db;
pub mod domain;
pub mod eligibility;
pub mod events;
pub mod exceptions;
pub mod http;
pub mod imports;
pub mod indicators;
pub mod meta;
pub mod partners;
pub mod policy;
pub mod policy_document;
pub mod reports;
pub mod seed;
pub mod sweep;
pub mod text;
pub mod units;
pub mod webhooks;

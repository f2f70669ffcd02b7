//! The columns of the agreements export. Every agreement has every column: a draft's compliance
//! cells are empty, as are an agreement's missing dates. Each partner is named by id, name,
//! country and kind, so that an export of one register imports into another (`imports`).

use super::Agreement;
use crate::http::export::{Cell, Column, export, plain};

export! {
    Agreement as "agreements", |row| [
        Column::text("id") => (&row.id).into(),
        Column::text("title") => (&row.title).into(),
        Column::text("description") => row.description.as_ref().into(),
        Column::text("type") => Cell::code(&row.agreement_type),
        Column::text("unitCode") => (&row.unit_code).into(),
        Column::list("partners", "partnerId:name:countryCode:KIND") => Cell::records(partners(row)),
        Column::list("purposes", "PURPOSE") => Cell::list(row.purposes.iter().map(plain)),
        Column::list("sdgs", "goal number") => Cell::list(row.sdgs.iter().map(u8::to_string)),
        Column::list("fundings", "SOURCE:programme:amount:CURRENCY") => Cell::records(row.fundings.iter().map(|f| {
                vec![
                    plain(&f.source),
                    plain(&f.programme),
                    f.amount.to_string(),
                    plain(&f.currency),
                ]
            })),
        Column::text("externalFundingNotPossibleReason") => row.external_funding_not_possible_reason.as_ref().into(),
        Column::date("startDate") => row.start_date.into(),
        Column::date("endDate") => row.end_date.into(),
        Column::text("caseNumber") => row.case_number.as_ref().into(),
        Column::text("status") => Cell::code(&row.status),
        Column::text("compliance.status") => row.compliance.as_ref().map(|c| Cell::code(&c.status)).into(),
        Column::date("compliance.asOf") => row.compliance.as_ref().map(|c| c.as_of).into(),
        Column::list("compliance.reasons", "CODE:RULE:partnerId") => Cell::records(row.compliance.iter().flat_map(|c| &c.reasons).map(|r| {
                vec![
                    r.code.to_string(),
                    r.rule.to_string(),
                    r.partner_id.clone().unwrap_or_default(),
                ]
            })),
        Column::list("warnings", "RULE:partnerId") => Cell::records(
                row.warnings
                    .iter()
                    .map(|w| vec![w.rule.clone(), w.partner_id.clone().unwrap_or_default()]),
            ),
        Column::boolean("registeredRetroactively") => row.registered_retroactively.into(),
        Column::boolean("boundByPolicy") => row.bound_by_policy.into(),
        Column::boolean("overdue") => row.overdue.into(),
        Column::timestamp("activatedAt") => row.activated_at.into(),
        Column::text("activatedBy") => row.activated_by.as_ref().into(),
        Column::timestamp("endedAt") => row.ended_at.into(),
        Column::text("endReason") => row.end_reason.as_ref().into(),
        Column::timestamp("cancelledAt") => row.cancelled_at.into(),
        Column::text("cancelReason") => row.cancel_reason.as_ref().into(),
        Column::integer("version") => row.version.into(),
        Column::timestamp("createdAt") => row.created_at.into(),
        Column::timestamp("updatedAt") => row.updated_at.into(),
    ]
}

/// The agreement's partners in its order, each as `partnerId:name:countryCode:KIND`. A list whose
/// names were not loaded (`service::name_partners`) still carries every id.
fn partners(row: &Agreement) -> Vec<Vec<String>> {
    row.partner_ids
        .iter()
        .map(|id| match row.partners.iter().find(|p| &p.id == id) {
            Some(p) => vec![
                p.id.clone(),
                p.name.clone(),
                p.country_code.clone(),
                p.kind.as_str().to_string(),
            ],
            None => vec![id.clone(), String::new(), String::new(), String::new()],
        })
        .collect()
}

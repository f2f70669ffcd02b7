//! The columns of the agreements export. Every agreement has every column: a draft's compliance
//! cells are empty, as are an agreement's missing dates.

use super::Agreement;
use crate::http::export::{Cell, Column, Export, plain};

impl Export for Agreement {
    const NAME: &'static str = "agreements";
    const COLUMNS: &'static [Column] = &[
        Column::text("id"),
        Column::text("title"),
        Column::text("description"),
        Column::text("type"),
        Column::text("unitCode"),
        Column::list("partnerIds", "partnerId"),
        Column::list("purposes", "PURPOSE"),
        Column::list("sdgs", "goal number"),
        Column::list("fundings", "SOURCE:programme:amount:CURRENCY"),
        Column::text("externalFundingNotPossibleReason"),
        Column::date("startDate"),
        Column::date("endDate"),
        Column::text("caseNumber"),
        Column::text("status"),
        Column::text("compliance.status"),
        Column::date("compliance.asOf"),
        Column::list("compliance.reasons", "CODE:RULE:partnerId"),
        Column::list("warnings", "RULE:partnerId"),
        Column::boolean("registeredRetroactively"),
        Column::boolean("boundByPolicy"),
        Column::boolean("overdue"),
        Column::timestamp("activatedAt"),
        Column::text("activatedBy"),
        Column::timestamp("endedAt"),
        Column::text("endReason"),
        Column::timestamp("cancelledAt"),
        Column::text("cancelReason"),
        Column::integer("version"),
        Column::timestamp("createdAt"),
        Column::timestamp("updatedAt"),
    ];

    fn cells(&self) -> Vec<Cell> {
        let compliance = self.compliance.as_ref();
        vec![
            (&self.id).into(),
            (&self.title).into(),
            self.description.as_ref().into(),
            Cell::code(&self.agreement_type),
            (&self.unit_code).into(),
            Cell::list(&self.partner_ids),
            Cell::list(self.purposes.iter().map(plain)),
            Cell::list(self.sdgs.iter().map(u8::to_string)),
            Cell::records(self.fundings.iter().map(|f| {
                vec![
                    plain(&f.source),
                    plain(&f.programme),
                    f.amount.to_string(),
                    plain(&f.currency),
                ]
            })),
            self.external_funding_not_possible_reason.as_ref().into(),
            self.start_date.into(),
            self.end_date.into(),
            self.case_number.as_ref().into(),
            Cell::code(&self.status),
            compliance.map(|c| Cell::code(&c.status)).into(),
            compliance.map(|c| c.as_of).into(),
            Cell::records(compliance.iter().flat_map(|c| &c.reasons).map(|r| {
                vec![
                    r.code.to_string(),
                    r.rule.to_string(),
                    r.partner_id.clone().unwrap_or_default(),
                ]
            })),
            Cell::records(
                self.warnings
                    .iter()
                    .map(|w| vec![w.rule.clone(), w.partner_id.clone().unwrap_or_default()]),
            ),
            self.registered_retroactively.into(),
            self.bound_by_policy.into(),
            self.overdue.into(),
            self.activated_at.into(),
            self.activated_by.as_ref().into(),
            self.ended_at.into(),
            self.end_reason.as_ref().into(),
            self.cancelled_at.into(),
            self.cancel_reason.as_ref().into(),
            self.version.into(),
            self.created_at.into(),
            self.updated_at.into(),
        ]
    }
}

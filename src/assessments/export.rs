//! The columns of the assessments export.

use super::{Assessment, verdict_str};
use crate::http::export::{Cell, Column, Export, plain};

impl Export for Assessment {
    const NAME: &'static str = "assessments";
    const COLUMNS: &'static [Column] = &[
        Column::text("id"),
        Column::text("countryCode"),
        Column::text("partnerId"),
        Column::text("humanRights.verdict"),
        Column::text("humanRights.rationale"),
        Column::text("democracy.verdict"),
        Column::text("democracy.rationale"),
        Column::text("ruleOfLaw.verdict"),
        Column::text("ruleOfLaw.rationale"),
        Column::list(
            "indicators",
            "SOURCE:edition:metric:value:category:url:indicatorId",
        ),
        Column::date("assessedAt"),
        Column::date("validUntil"),
        Column::text("status"),
        Column::text("outcome"),
        Column::list("failingRequirements", "REQUIREMENT"),
        Column::timestamp("publishedAt"),
        Column::text("publishedBy"),
        Column::timestamp("supersededAt"),
        Column::text("supersededBy"),
        Column::list("draftedBy", "user"),
        Column::integer("version"),
        Column::timestamp("createdAt"),
        Column::timestamp("updatedAt"),
    ];

    fn cells(&self) -> Vec<Cell> {
        vec![
            (&self.id).into(),
            (&self.country_code).into(),
            self.partner_id.as_ref().into(),
            verdict_str(self.human_rights.verdict).into(),
            (&self.human_rights.rationale).into(),
            verdict_str(self.democracy.verdict).into(),
            (&self.democracy.rationale).into(),
            verdict_str(self.rule_of_law.verdict).into(),
            (&self.rule_of_law.rationale).into(),
            Cell::records(self.indicators.iter().map(|e| {
                vec![
                    plain(&e.source),
                    e.edition.clone(),
                    e.metric.clone(),
                    plain(&e.value),
                    e.category.clone().unwrap_or_default(),
                    e.url.clone().unwrap_or_default(),
                    e.indicator_id.clone().unwrap_or_default(),
                ]
            })),
            self.assessed_at.into(),
            self.valid_until.into(),
            Cell::code(&self.status),
            Cell::code(&self.outcome),
            Cell::list(&self.failing_requirements),
            self.published_at.into(),
            self.published_by.as_ref().into(),
            self.superseded_at.into(),
            self.superseded_by.as_ref().into(),
            Cell::list(&self.drafted_by),
            self.version.into(),
            self.created_at.into(),
            self.updated_at.into(),
        ]
    }
}

//! The columns of the assessments export.

use super::{Assessment, verdict_str};
use crate::http::export::{Cell, Column, export, plain};

export! {
    Assessment as "assessments", |row| [
        Column::text("id") => (&row.id).into(),
        Column::text("countryCode") => (&row.country_code).into(),
        Column::text("partnerId") => row.partner_id.as_ref().into(),
        Column::text("humanRights.verdict") => verdict_str(row.human_rights.verdict).into(),
        Column::text("humanRights.rationale") => (&row.human_rights.rationale).into(),
        Column::text("democracy.verdict") => verdict_str(row.democracy.verdict).into(),
        Column::text("democracy.rationale") => (&row.democracy.rationale).into(),
        Column::text("ruleOfLaw.verdict") => verdict_str(row.rule_of_law.verdict).into(),
        Column::text("ruleOfLaw.rationale") => (&row.rule_of_law.rationale).into(),
        Column::list(
            "indicators",
            "SOURCE:edition:metric:value:category:url:indicatorId",
        ) => Cell::records(row.indicators.iter().map(|e| {
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
        Column::date("assessedAt") => row.assessed_at.into(),
        Column::date("validUntil") => row.valid_until.into(),
        Column::text("status") => Cell::code(&row.status),
        Column::text("outcome") => Cell::code(&row.outcome),
        Column::list("failingRequirements", "REQUIREMENT") => Cell::list(&row.failing_requirements),
        Column::timestamp("publishedAt") => row.published_at.into(),
        Column::text("publishedBy") => row.published_by.as_ref().into(),
        Column::timestamp("supersededAt") => row.superseded_at.into(),
        Column::text("supersededBy") => row.superseded_by.as_ref().into(),
        Column::list("draftedBy", "user") => Cell::list(&row.drafted_by),
        Column::integer("version") => row.version.into(),
        Column::timestamp("createdAt") => row.created_at.into(),
        Column::timestamp("updatedAt") => row.updated_at.into(),
    ]
}

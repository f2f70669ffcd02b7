//! The columns of the exceptions export: the request, its decision and its revocation side by
//! side (empty where there is none).

use super::Exception;
use crate::http::export::{Cell, Column, Export};

impl Export for Exception {
    const NAME: &'static str = "exceptions";
    const COLUMNS: &'static [Column] = &[
        Column::text("id"),
        Column::text("agreementId"),
        Column::text("partnerId"),
        Column::text("unitCode"),
        Column::text("justification"),
        Column::text("caseNumber"),
        Column::text("status"),
        Column::text("requestedBy"),
        Column::text("decision.decision"),
        Column::text("decision.decidingBody"),
        Column::text("decision.delegationReference"),
        Column::date("decision.decidedAt"),
        Column::text("decision.protocolParagraph"),
        Column::text("decision.conditions"),
        Column::date("decision.validFrom"),
        Column::date("decision.validUntil"),
        Column::text("decision.recordedBy"),
        Column::timestamp("decision.recordedAt"),
        Column::text("revocation.decidingBody"),
        Column::text("revocation.delegationReference"),
        Column::date("revocation.decidedAt"),
        Column::text("revocation.protocolParagraph"),
        Column::text("revocation.reason"),
        Column::text("revocation.recordedBy"),
        Column::timestamp("revocation.recordedAt"),
        Column::timestamp("withdrawnAt"),
        Column::integer("version"),
        Column::timestamp("createdAt"),
        Column::timestamp("updatedAt"),
    ];

    fn cells(&self) -> Vec<Cell> {
        let d = self.decision.as_ref();
        let r = self.revocation.as_ref();
        vec![
            (&self.id).into(),
            (&self.agreement_id).into(),
            (&self.partner_id).into(),
            (&self.unit_code).into(),
            (&self.justification).into(),
            (&self.case_number).into(),
            Cell::code(&self.status),
            (&self.requested_by).into(),
            d.map(|d| Cell::code(&d.decision)).into(),
            d.map(|d| Cell::code(&d.deciding_body)).into(),
            d.and_then(|d| d.delegation_reference.as_ref()).into(),
            d.map(|d| d.decided_at).into(),
            d.map(|d| &d.protocol_paragraph).into(),
            d.and_then(|d| d.conditions.as_ref()).into(),
            d.and_then(|d| d.valid_from).into(),
            d.and_then(|d| d.valid_until).into(),
            d.map(|d| &d.recorded_by).into(),
            d.map(|d| d.recorded_at).into(),
            r.map(|r| Cell::code(&r.deciding_body)).into(),
            r.and_then(|r| r.delegation_reference.as_ref()).into(),
            r.map(|r| r.decided_at).into(),
            r.map(|r| &r.protocol_paragraph).into(),
            r.map(|r| &r.reason).into(),
            r.map(|r| &r.recorded_by).into(),
            r.map(|r| r.recorded_at).into(),
            self.withdrawn_at.into(),
            self.version.into(),
            self.created_at.into(),
            self.updated_at.into(),
        ]
    }
}

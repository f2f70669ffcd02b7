//! The columns of the exceptions export: the request, its decision and its revocation side by
//! side (empty where there is none).

use super::Exception;
use crate::http::export::{Cell, Column, export};

export! {
    Exception as "exceptions", |row| [
        Column::text("id") => (&row.id).into(),
        Column::text("agreementId") => (&row.agreement_id).into(),
        Column::text("partnerId") => (&row.partner_id).into(),
        Column::text("unitCode") => (&row.unit_code).into(),
        Column::text("justification") => (&row.justification).into(),
        Column::text("caseNumber") => (&row.case_number).into(),
        Column::text("status") => Cell::code(&row.status),
        Column::text("requestedBy") => (&row.requested_by).into(),
        Column::text("decision.decision") => row.decision.as_ref().map(|d| Cell::code(&d.decision)).into(),
        Column::text("decision.decidingBody") => row.decision.as_ref().map(|d| Cell::code(&d.deciding_body)).into(),
        Column::text("decision.delegationReference") => row.decision.as_ref().and_then(|d| d.delegation_reference.as_ref()).into(),
        Column::date("decision.decidedAt") => row.decision.as_ref().map(|d| d.decided_at).into(),
        Column::text("decision.protocolParagraph") => row.decision.as_ref().map(|d| &d.protocol_paragraph).into(),
        Column::text("decision.conditions") => row.decision.as_ref().and_then(|d| d.conditions.as_ref()).into(),
        Column::date("decision.validFrom") => row.decision.as_ref().and_then(|d| d.valid_from).into(),
        Column::date("decision.validUntil") => row.decision.as_ref().and_then(|d| d.valid_until).into(),
        Column::text("decision.recordedBy") => row.decision.as_ref().map(|d| &d.recorded_by).into(),
        Column::timestamp("decision.recordedAt") => row.decision.as_ref().map(|d| d.recorded_at).into(),
        Column::text("revocation.decidingBody") => row.revocation.as_ref().map(|r| Cell::code(&r.deciding_body)).into(),
        Column::text("revocation.delegationReference") => row.revocation.as_ref().and_then(|r| r.delegation_reference.as_ref()).into(),
        Column::date("revocation.decidedAt") => row.revocation.as_ref().map(|r| r.decided_at).into(),
        Column::text("revocation.protocolParagraph") => row.revocation.as_ref().map(|r| &r.protocol_paragraph).into(),
        Column::text("revocation.reason") => row.revocation.as_ref().map(|r| &r.reason).into(),
        Column::text("revocation.recordedBy") => row.revocation.as_ref().map(|r| &r.recorded_by).into(),
        Column::timestamp("revocation.recordedAt") => row.revocation.as_ref().map(|r| r.recorded_at).into(),
        Column::timestamp("withdrawnAt") => row.withdrawn_at.into(),
        Column::integer("version") => row.version.into(),
        Column::timestamp("createdAt") => row.created_at.into(),
        Column::timestamp("updatedAt") => row.updated_at.into(),
    ]
}

//! Which operations export which resource: the document's `text/csv` and workbook content of
//! every paged list (but the change feed) and of both reports is written here from the resource's
//! own column declaration, so the documented columns cannot drift from the ones the service writes.

use utoipa::openapi::{OpenApi, RefOr};

use crate::http::export::{Column, Export, document_exports, document_report};

/// Every exporting list: its operation id and the columns of its items.
pub const LISTS: &[(&str, &[Column])] = &[
    ("listUnits", crate::units::Unit::COLUMNS),
    ("listCountries", crate::countries::Country::COLUMNS),
    (
        "listCountryAssessments",
        crate::assessments::Assessment::COLUMNS,
    ),
    (
        "listCountryIndicators",
        crate::indicators::Indicator::COLUMNS,
    ),
    ("listAssessments", crate::assessments::Assessment::COLUMNS),
    ("listPartners", crate::partners::Partner::COLUMNS),
    ("listContacts", crate::contacts::Contact::COLUMNS),
    ("listAgreements", crate::agreements::Agreement::COLUMNS),
    ("listExceptions", crate::exceptions::Exception::COLUMNS),
    ("listWebhooks", crate::webhooks::Webhook::COLUMNS),
    ("listWebhookDeliveries", crate::webhooks::Delivery::COLUMNS),
];

/// Every report: its operation id, the columns of its file and its sections (workbook sheets).
pub const REPORTS: &[(&str, &[Column], &[&str])] = &[
    (
        "getSummaryReport",
        crate::reports::routes::SUMMARY_COLUMNS,
        crate::reports::routes::SUMMARY_SECTIONS,
    ),
    (
        "getComplianceReport",
        crate::reports::routes::COMPLIANCE_COLUMNS,
        crate::reports::routes::COMPLIANCE_SECTIONS,
    ),
];

/// Declares the CSV and XLSX exports on the 200 response of every operation in `LISTS`, and the
/// workbook beside the CSV of every report in `REPORTS`.
pub fn document(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let Some(op) = item.get.as_mut() else {
            continue;
        };
        let id = op.operation_id.clone().unwrap_or_default();
        let Some(RefOr::T(response)) = op.responses.responses.get_mut("200") else {
            continue;
        };
        if let Some((_, columns)) = LISTS.iter().find(|(list, _)| *list == id) {
            document_exports(response, columns);
        } else if let Some((_, columns, sections)) = REPORTS.iter().find(|(r, _, _)| *r == id) {
            document_report(response, columns, sections);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation answering a `Page_*` is in `LISTS` (and so exports), and nothing else is.
    #[test]
    fn every_paged_list_documents_its_csv_export() {
        let doc = serde_json::to_value(crate::app::openapi()).unwrap();
        let mut paged = Vec::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let ok = &op["responses"]["200"];
                let schema = ok["content"]["application/json"]["schema"]["$ref"]
                    .as_str()
                    .unwrap_or("");
                if schema.starts_with("#/components/schemas/Page_") {
                    let id = op["operationId"].as_str().unwrap().to_string();
                    let csv = &ok["content"]["text/csv"]["schema"]["description"];
                    assert!(
                        csv.as_str()
                            .is_some_and(|d| d.contains("Columns, in order")),
                        "{id} does not document its CSV columns"
                    );
                    for header in ["X-Total-Count", "X-Row-Limit", "X-Truncated"] {
                        assert!(ok["headers"][header].is_object(), "{id} lacks {header}");
                    }
                    paged.push(id);
                }
            }
        }
        let mut listed: Vec<String> = LISTS.iter().map(|(id, _)| id.to_string()).collect();
        paged.sort();
        listed.sort();
        assert_eq!(paged, listed);
    }

    /// The document lists the columns the code declares, in their order.
    #[test]
    fn the_documented_columns_are_the_declared_ones() {
        let doc = serde_json::to_value(crate::app::openapi()).unwrap();
        let agreements =
            &doc["paths"]["/api/v1/agreements"]["get"]["responses"]["200"]["content"]["text/csv"];
        let header = agreements["example"].as_str().unwrap();
        let names: Vec<&str> = crate::agreements::Agreement::COLUMNS
            .iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(header.trim_end().split(',').collect::<Vec<_>>(), names);
        assert!(names.contains(&"compliance.status"));
    }

    /// Every column of every export has a label in both languages (the workbook's header), and
    /// every report section a sheet name; so has the agreements' `partners` column to come.
    #[test]
    fn every_column_and_section_has_a_label_in_both_languages() {
        use crate::text::{Lang, Text};
        let columns = LISTS
            .iter()
            .flat_map(|(_, columns)| columns.iter())
            .chain(REPORTS.iter().flat_map(|(_, columns, _)| columns.iter()))
            .map(|c| c.name)
            .chain(["partners"]);
        for name in columns {
            for lang in [Lang::En, Lang::Sv] {
                let label = Text::ColumnLabel {
                    name: name.to_string(),
                }
                .render(lang);
                assert_ne!(label, name, "{name} has no label in {lang:?}");
            }
        }
        for (_, _, sections) in REPORTS {
            for code in *sections {
                for lang in [Lang::En, Lang::Sv] {
                    let name = Text::ReportSection {
                        code: code.to_string(),
                    }
                    .render(lang);
                    assert_ne!(name, *code, "{code} has no sheet name in {lang:?}");
                    assert!(name.chars().count() <= 31, "{name}: too long for a sheet");
                }
            }
        }
    }
}

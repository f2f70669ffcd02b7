//! Which operations export which resource: the document's `text/csv` content of every paged list
//! (but the change feed) is written here from the resource's own column declaration, so the
//! documented columns cannot drift from the ones the service writes.

use utoipa::openapi::{OpenApi, RefOr};

use crate::http::export::{Column, Export, document_csv};

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

/// Declares the CSV export on the 200 response of every operation in `LISTS`.
pub fn document(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let Some(op) = item.get.as_mut() else {
            continue;
        };
        let Some((_, columns)) = LISTS
            .iter()
            .find(|(id, _)| op.operation_id.as_deref() == Some(*id))
        else {
            continue;
        };
        if let Some(RefOr::T(response)) = op.responses.responses.get_mut("200") {
            document_csv(response, columns);
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
}

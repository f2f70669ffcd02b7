-- An agreement's four lists (partners in order, purposes, goals, funding lines) kept with its row
-- as one JSON object, written with the row by every write that changes them, so that a read of
-- the agreement needs no statement over the list tables. The list tables stay: filters, the
-- sister-city derivation, reports and foreign keys read them. Purposes are in the order of their
-- stored names and goals by number, as the reads have always given them.
ALTER TABLE agreements ADD COLUMN lists TEXT;
UPDATE agreements a SET lists = json_build_object(
    'partners', (SELECT COALESCE(json_agg(l.partner_id ORDER BY l.position), '[]'::json)
                 FROM agreement_partners l WHERE l.agreement_id = a.id),
    'purposes', (SELECT COALESCE(json_agg(l.purpose ORDER BY l.purpose), '[]'::json)
                 FROM agreement_purposes l WHERE l.agreement_id = a.id),
    'sdgs', (SELECT COALESCE(json_agg(l.sdg ORDER BY l.sdg), '[]'::json)
             FROM agreement_sdgs l WHERE l.agreement_id = a.id),
    'fundings', (SELECT COALESCE(json_agg(json_build_array(l.source, l.programme, l.amount, l.currency)
                                          ORDER BY l.position), '[]'::json)
                 FROM agreement_fundings l WHERE l.agreement_id = a.id)
)::text;
ALTER TABLE agreements ALTER COLUMN lists SET NOT NULL;

-- An agreement's four lists (partners in order, purposes, goals, funding lines) kept with its row
-- as one JSON object, written with the row by every write that changes them, so that a read of
-- the agreement needs no statement over the list tables. The list tables stay: filters, the
-- sister-city derivation, reports and foreign keys read them. Purposes are in the order of their
-- stored names and goals by number, as the reads have always given them. (SQLite adds a column
-- NOT NULL only with a default; the service writes it with every row and refuses a row without.)
ALTER TABLE agreements ADD COLUMN lists TEXT;
UPDATE agreements SET lists = json_object(
    'partners', json((SELECT json_group_array(l.partner_id ORDER BY l.position)
                      FROM agreement_partners l WHERE l.agreement_id = agreements.id)),
    'purposes', json((SELECT json_group_array(l.purpose ORDER BY l.purpose)
                      FROM agreement_purposes l WHERE l.agreement_id = agreements.id)),
    'sdgs', json((SELECT json_group_array(l.sdg ORDER BY l.sdg)
                  FROM agreement_sdgs l WHERE l.agreement_id = agreements.id)),
    'fundings', json((SELECT json_group_array(json_array(l.source, l.programme, l.amount, l.currency)
                                              ORDER BY l.position)
                      FROM agreement_fundings l WHERE l.agreement_id = agreements.id))
);

-- Lists filtered by unit and status, in list order (created_at, id), read from the index instead
-- of sorting every match (bench/README.md: the filtered list at 100,000 agreements).
CREATE INDEX agreements_unit_status_created ON agreements (unit_code, status, created_at, id);
CREATE INDEX agreements_status_created ON agreements (status, created_at, id);

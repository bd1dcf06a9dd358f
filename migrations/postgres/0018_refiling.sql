-- Re-filing a returned unit keeps the return (issue 16): the returned line
-- stays in its batch with its reason; the new filing is a new line. So a
-- unit and contract are unique among the lines still live (pending or
-- passed) only.
ALTER TABLE filing_lines DROP CONSTRAINT filing_lines_org_id_unit_no_kind_contract_no_key;
CREATE UNIQUE INDEX filing_lines_live ON filing_lines (org_id, unit_no, kind, contract_no)
    WHERE status <> 'returned';

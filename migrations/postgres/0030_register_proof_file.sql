-- The SHA-256 of a proof of registration's PDF as it was sent, so the
-- file itself can be checked at /verify like an electronic certificate.
ALTER TABLE register_proofs ADD COLUMN pdf_sha256 TEXT;
CREATE INDEX register_proofs_pdf ON register_proofs (pdf_sha256);

-- The supervisor's review lists every staff query of the register.
CREATE INDEX audit_action ON audit (action, seq);

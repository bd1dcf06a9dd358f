-- Facts every replica of one deployment must agree on (issue 18): the
-- fingerprint of the secret key (a replica started with another key would
-- refuse every second sign-in code behind a balancer).
CREATE TABLE server_settings (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

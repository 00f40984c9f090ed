-- A row whose client-chosen text (method, tool name, resource URI, …) was cut to the writer's fixed length says so.
-- Covered by the row's hash when set; rows written before this column keep their hashes (false is not hashed).
ALTER TABLE audit_log ADD COLUMN truncated boolean NOT NULL DEFAULT false;

--
-- malformed: bad input at every SQL entry point gets a clear error with its
-- SQLSTATE, and changes nothing: the row counts of every tenant-owned table
-- (found from the catalogue) are the same before and after.
--
\set VERBOSITY terse
INSERT INTO compmap.tenant (tenant_id, name) VALUES ('60000000-0000-4000-8000-000000000001', 'malformed test'),
                                                    ('60000000-0000-4000-8000-000000000002', 'malformed other');
SELECT '60000000-0000-4000-8000-000000000001' AS t, '60000000-0000-4000-8000-0000000000ff' AS nobody \gset

-- A small log: events, a finding, a signing key (RFC 8032 test vector 1).
SELECT count(compmap.record_event(:'t', :'t', 'malformed.setup', 'setup', jsonb_build_object('i', g)))
  FROM generate_series(1, 5) g;
SELECT action, status FROM compmap.record_finding(:'t', 'setup finding', 'setup', scanner => 'regress', rule_id => 'm1');
SELECT finding_id AS f FROM compmap.finding WHERE tenant_id = :'t' \gset
SELECT encode(compmap.register_signing_key(:'t', 'malformed-signer',
       '\xd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'), 'hex') AS key_id;

-- SQLSTATE and message of a statement that must fail.
CREATE FUNCTION pg_temp.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- Row counts of every table in the extension schema with a tenant_id column.
CREATE FUNCTION pg_temp.counts(tenant uuid) RETURNS TABLE (tbl text, n bigint) LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
              WHERE s.nspname = 'compmap' AND c.relkind IN ('r', 'p')
                AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
              ORDER BY c.relname
    LOOP
        tbl := r.relname;
        EXECUTE format('SELECT count(*) FROM compmap.%I WHERE tenant_id = $1', r.relname) INTO n USING tenant;
        RETURN NEXT;
    END LOOP;
END
$$;
CREATE TEMP TABLE before AS SELECT * FROM pg_temp.counts(:'t');
SELECT * FROM before ORDER BY tbl;
SELECT encode(compmap.tree_root(:'t'), 'hex') AS root_before \gset

CREATE TEMP TABLE attempt (n serial, entry_point text, input text, outcome text);
CREATE PROCEDURE pg_temp.attempt(entry_point text, input text, stmt text) LANGUAGE sql AS $$
    INSERT INTO attempt (entry_point, input, outcome) VALUES (entry_point, input, pg_temp.try(stmt));
$$;

-- record_event
CALL pg_temp.attempt('record_event', 'unknown tenant', format($q$SELECT compmap.record_event(%L, %L, 'x.y', 'a', '{}')$q$, :'nobody', :'t'));
CALL pg_temp.attempt('record_event', 'NULL tenant', $q$SELECT compmap.record_event(NULL, gen_random_uuid(), 'x.y', 'a', '{}')$q$);
CALL pg_temp.attempt('record_event', 'NULL event_type', format($q$SELECT compmap.record_event(%L, %L, NULL, 'a', '{}')$q$, :'t', :'t'));
CALL pg_temp.attempt('record_event', 'NULL payload', format($q$SELECT compmap.record_event(%L, %L, 'x.y', 'a', NULL)$q$, :'t', :'t'));
CALL pg_temp.attempt('record_event', 'truncated JSON', format($q$SELECT compmap.record_event(%L, %L, 'x.y', 'a', '{"a": [1, ')$q$, :'t', :'t'));
CALL pg_temp.attempt('record_event', 'number beyond a double', format($q$SELECT compmap.record_event(%L, %L, 'x.y', 'a', '{"n": 1e400}')$q$, :'t', :'t'));
CALL pg_temp.attempt('record_event', 'NUL escape in a string', format($q$SELECT compmap.record_event(%L, %L, 'x.y', 'a', '{"s": "a\u0000b"}')$q$, :'t', :'t'));
CALL pg_temp.attempt('record_event', 'NULL occurred_at', format($q$SELECT compmap.record_event(%L, %L, 'x.y', 'a', '{}', NULL)$q$, :'t', :'t'));

-- record_checkpoint
CALL pg_temp.attempt('record_checkpoint', 'not a note', format($q$SELECT compmap.record_checkpoint(%L, 'garbage')$q$, :'t'));
CALL pg_temp.attempt('record_checkpoint', 'empty', format($q$SELECT compmap.record_checkpoint(%L, '')$q$, :'t'));
CALL pg_temp.attempt('record_checkpoint', 'body without signature', format($q$SELECT compmap.record_checkpoint(%L, compmap.checkpoint_body(%L))$q$, :'t', :'t'));
CALL pg_temp.attempt('record_checkpoint', 'signature line, bad base64', format($q$SELECT compmap.record_checkpoint(%L, compmap.checkpoint_body(%L) || E'\n— malformed-signer !!!!\n')$q$, :'t', :'t'));
CALL pg_temp.attempt('record_checkpoint', 'forged signature', format($q$SELECT compmap.record_checkpoint(%L, compmap.checkpoint_body(%L) || E'\n— malformed-signer ' || translate(encode('\x21b0cf0a'::bytea || decode(repeat('00', 64), 'hex'), 'base64'), E'\n', '') || E'\n')$q$, :'t', :'t'));
CALL pg_temp.attempt('record_checkpoint', 'unknown tenant', format($q$SELECT compmap.record_checkpoint(%L, compmap.checkpoint_body(%L) || E'\n— malformed-signer ' || translate(encode('\x21b0cf0a'::bytea || decode(repeat('00', 64), 'hex'), 'base64'), E'\n', '') || E'\n')$q$, :'nobody', :'t'));

-- register_signing_key
CALL pg_temp.attempt('register_signing_key', '31-byte key', format($q$SELECT compmap.register_signing_key(%L, 'short', '\x%s')$q$, :'t', repeat('ab', 31)));
CALL pg_temp.attempt('register_signing_key', 'NULL key', format($q$SELECT compmap.register_signing_key(%L, 'nokey', NULL)$q$, :'t'));
CALL pg_temp.attempt('register_signing_key', 'empty name', format($q$SELECT compmap.register_signing_key(%L, '', '\x%s')$q$, :'t', repeat('cd', 32)));
CALL pg_temp.attempt('register_signing_key', 'name with a space', format($q$SELECT compmap.register_signing_key(%L, 'two words', '\x%s')$q$, :'t', repeat('cd', 32)));
CALL pg_temp.attempt('register_signing_key', 'name taken', format($q$SELECT compmap.register_signing_key(%L, 'malformed-signer', '\x%s')$q$, :'t', repeat('cd', 32)));
CALL pg_temp.attempt('register_signing_key', 'unknown tenant', format($q$SELECT compmap.register_signing_key(%L, 'k', '\x%s')$q$, :'nobody', repeat('cd', 32)));

-- set_status
CALL pg_temp.attempt('set_status', 'unknown status', format($q$SELECT compmap.set_status(%L, 'bogus', 'alice')$q$, :'f'));
CALL pg_temp.attempt('set_status', 'status with trailing space', format($q$SELECT compmap.set_status(%L, 'triaged ', 'alice')$q$, :'f'));
CALL pg_temp.attempt('set_status', 'transition not allowed', format($q$SELECT compmap.set_status(%L, 'verified', 'alice')$q$, :'f'));
CALL pg_temp.attempt('set_status', 'no actor', format($q$SELECT compmap.set_status(%L, 'triaged', '')$q$, :'f'));
CALL pg_temp.attempt('set_status', 'unknown finding', format($q$SELECT compmap.set_status(%L, 'triaged', 'alice')$q$, :'nobody'));
CALL pg_temp.attempt('set_status', 'risk_accepted without approver', format($q$SELECT compmap.set_status(%L, 'risk_accepted', 'alice')$q$, :'f'));

-- record_finding
CALL pg_temp.attempt('record_finding', 'NULL title', format($q$SELECT compmap.record_finding(%L, NULL, 'a', scanner => 's', rule_id => 'r')$q$, :'t'));
CALL pg_temp.attempt('record_finding', 'asset kind without name', format($q$SELECT compmap.record_finding(%L, 'x', 'a', scanner => 's', rule_id => 'r', asset_kind => 'host')$q$, :'t'));
CALL pg_temp.attempt('record_finding', 'unknown category', format($q$SELECT compmap.record_finding(%L, 'x', 'a', scanner => 's', rule_id => 'r', category => 'nonsense')$q$, :'t'));
CALL pg_temp.attempt('record_finding', 'malformed CVSS vector', format($q$SELECT compmap.record_finding(%L, 'x', 'a', scanner => 's', rule_id => 'r', cvss => 'CVSS:3.1/AV:Z')$q$, :'t'));
CALL pg_temp.attempt('record_finding', 'CVSS v2 vector', format($q$SELECT compmap.record_finding(%L, 'x', 'a', scanner => 's', rule_id => 'r', cvss => 'AV:N/AC:L/Au:N/C:P/I:P/A:P')$q$, :'t'));
CALL pg_temp.attempt('record_finding', 'unknown tenant', format($q$SELECT compmap.record_finding(%L, 'x', 'a', scanner => 's', rule_id => 'r')$q$, :'nobody'));

-- redact
CALL pg_temp.attempt('redact', 'negative index', format($q$SELECT compmap.redact(%L, -1, 'dpo', 'why')$q$, :'t'));
CALL pg_temp.attempt('redact', 'index past the end', format($q$SELECT compmap.redact(%L, 1000, 'dpo', 'why')$q$, :'t'));
CALL pg_temp.attempt('redact', 'no reason', format($q$SELECT compmap.redact(%L, 1, 'dpo', '')$q$, :'t'));
CALL pg_temp.attempt('redact', 'no actor', format($q$SELECT compmap.redact(%L, 1, NULL, 'why')$q$, :'t'));
CALL pg_temp.attempt('redact', 'unknown tenant', format($q$SELECT compmap.redact(%L, 0, 'dpo', 'why')$q$, :'nobody'));

-- inclusion_proof, consistency_proof, tree_root
CALL pg_temp.attempt('inclusion_proof', 'index = size', format($q$SELECT compmap.inclusion_proof(%L, 5, 5)$q$, :'t'));
CALL pg_temp.attempt('inclusion_proof', 'negative index', format($q$SELECT compmap.inclusion_proof(%L, -1, 5)$q$, :'t'));
CALL pg_temp.attempt('inclusion_proof', 'size beyond the log', format($q$SELECT compmap.inclusion_proof(%L, 0, 1000)$q$, :'t'));
CALL pg_temp.attempt('inclusion_proof', 'unknown tenant', format($q$SELECT compmap.inclusion_proof(%L, 0, 1)$q$, :'nobody'));
CALL pg_temp.attempt('consistency_proof', 'old size > new size', format($q$SELECT compmap.consistency_proof(%L, 5, 3)$q$, :'t'));
CALL pg_temp.attempt('consistency_proof', 'new size beyond the log', format($q$SELECT compmap.consistency_proof(%L, 1, 1000)$q$, :'t'));
CALL pg_temp.attempt('consistency_proof', 'negative old size', format($q$SELECT compmap.consistency_proof(%L, -2, 3)$q$, :'t'));
CALL pg_temp.attempt('tree_root', 'negative size', format($q$SELECT compmap.tree_root(%L, -1)$q$, :'t'));
CALL pg_temp.attempt('tree_root', 'size beyond the log', format($q$SELECT compmap.tree_root(%L, 1000)$q$, :'t'));
CALL pg_temp.attempt('tree_root', 'unknown tenant', format($q$SELECT compmap.tree_root(%L)$q$, :'nobody'));

-- attest
CALL pg_temp.attempt('attest', 'unknown control', format($q$SELECT compmap.attest(%L, 'iso27001_2022:Z.9.99', 'ciso', 'done', 'ticket-1', current_date + 30)$q$, :'t'));
CALL pg_temp.attempt('attest', 'control without framework', format($q$SELECT compmap.attest(%L, 'A.5.1', 'ciso', 'done', 'ticket-1', current_date + 30)$q$, :'t'));
CALL pg_temp.attempt('attest', 'expired', format($q$SELECT compmap.attest(%L, 'iso27001_2022:A.5.1', 'ciso', 'done', 'ticket-1', '2020-01-01')$q$, :'t'));
CALL pg_temp.attempt('attest', 'no statement', format($q$SELECT compmap.attest(%L, 'iso27001_2022:A.5.1', 'ciso', '', 'ticket-1', current_date + 30)$q$, :'t'));
CALL pg_temp.attempt('attest', 'bad date', format($q$SELECT compmap.attest(%L, 'iso27001_2022:A.5.1', 'ciso', 'done', 'ticket-1', '2026-02-30')$q$, :'t'));

-- set_applicability
CALL pg_temp.attempt('set_applicability', 'NULL applicable', format($q$SELECT compmap.set_applicability(%L, 'iso27001_2022:A.5.1', NULL, 'why')$q$, :'t'));
CALL pg_temp.attempt('set_applicability', 'blank justification', format($q$SELECT compmap.set_applicability(%L, 'iso27001_2022:A.5.1', false, '   ')$q$, :'t'));
CALL pg_temp.attempt('set_applicability', 'unknown framework', format($q$SELECT compmap.set_applicability(%L, 'nist_9999:AC-1', true, 'why')$q$, :'t'));

-- ingest
CALL pg_temp.attempt('ingest', 'truncated JSON', format($q$SELECT * FROM compmap.ingest(%L, '{"version": "2.1.0", "runs": [{"results": [')$q$, :'t'));
CALL pg_temp.attempt('ingest', 'SARIF 2.0.0', format($q$SELECT * FROM compmap.ingest(%L, '{"version": "2.0.0", "runs": []}', 'sarif')$q$, :'t'));
CALL pg_temp.attempt('ingest', 'unknown format', format($q$SELECT * FROM compmap.ingest(%L, '{}', 'burp')$q$, :'t'));
CALL pg_temp.attempt('ingest', 'XML garbage', format($q$SELECT * FROM compmap.ingest(%L, '<NessusClientData_v2><Report><<<&&')$q$, :'t'));
CALL pg_temp.attempt('ingest', 'binary garbage', format($q$SELECT * FROM compmap.ingest(%L, E'\x01\x02\x7f garbage')$q$, :'t'));
CALL pg_temp.attempt('ingest', 'JSON of the wrong shape', format($q$SELECT * FROM compmap.ingest(%L, '[1, 2, 3]', 'trivy')$q$, :'t'));
CALL pg_temp.attempt('ingest', 'unknown tenant', format($q$SELECT * FROM compmap.ingest(%L, '{"matches": []}')$q$, :'nobody'));

-- auditor_pack
CALL pg_temp.attempt('auditor_pack', 'unknown finding', format($q$SELECT compmap.auditor_pack(%L)$q$, :'nobody'));
CALL pg_temp.attempt('auditor_pack', 'no checkpoint yet', format($q$SELECT compmap.auditor_pack(%L)$q$, :'f'));
CALL pg_temp.attempt('auditor_pack', 'unknown checkpoint', format($q$SELECT compmap.auditor_pack(%L, 42)$q$, :'f'));

-- oscal_assessment_results
CALL pg_temp.attempt('oscal_assessment_results', 'unknown framework', format($q$SELECT compmap.oscal_assessment_results(%L, 'nist_9999')$q$, :'t'));
CALL pg_temp.attempt('oscal_assessment_results', 'NULL framework', format($q$SELECT compmap.oscal_assessment_results(%L, NULL)$q$, :'t'));
CALL pg_temp.attempt('oscal_assessment_results', 'unknown tenant', format($q$SELECT compmap.oscal_assessment_results(%L, 'iso27001_2022')$q$, :'nobody'));

SELECT entry_point, input, outcome FROM attempt ORDER BY n;
-- A NULL note: record_checkpoint is STRICT, so the answer is NULL and nothing is stored.
SELECT compmap.record_checkpoint(:'t', NULL) IS NULL AS null_note_gives_null;

-- Every attempt failed, with a SQLSTATE.
SELECT count(*) AS attempts, count(*) FILTER (WHERE outcome ~ '^[0-9A-Z]{5}: ') AS failed_with_sqlstate FROM attempt;
-- Nothing changed: same row counts in every tenant table, same root.
SELECT b.tbl, b.n AS before, a.n AS after FROM before b FULL JOIN pg_temp.counts(:'t') a USING (tbl)
 WHERE a.n IS DISTINCT FROM b.n;
SELECT encode(compmap.tree_root(:'t'), 'hex') = :'root_before' AS same_root, ok FROM compmap.verify(:'t');

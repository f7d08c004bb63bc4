-- Every pair of finding states through compmap.set_status, asserted against
-- the transition graph as docs/findings-lifecycle.md writes it down (typed
-- in here, not read from the C code): 34 allowed moves, 66 refused ones.
BEGIN;
SELECT plan(101);

CREATE TEMP TABLE documented_edge (from_s text, to_s text);
INSERT INTO documented_edge
SELECT split_part(e, ' ', 1), split_part(e, ' ', 2) FROM unnest(ARRAY[
    'new triaged', 'new fixed', 'new false_positive', 'new duplicate',
    'triaged assigned', 'triaged fixed', 'triaged risk_accepted', 'triaged false_positive', 'triaged duplicate',
    'assigned triaged', 'assigned in_progress', 'assigned fixed', 'assigned risk_accepted', 'assigned false_positive', 'assigned duplicate',
    'in_progress assigned', 'in_progress fixed', 'in_progress risk_accepted', 'in_progress false_positive', 'in_progress duplicate',
    'fixed verified', 'fixed reopened', 'verified reopened',
    'reopened triaged', 'reopened assigned', 'reopened in_progress', 'reopened fixed', 'reopened risk_accepted',
    'reopened false_positive', 'reopened duplicate',
    'risk_accepted fixed', 'risk_accepted reopened', 'false_positive reopened', 'duplicate reopened']) e;
SELECT is((SELECT count(*)::int FROM documented_edge), 34, 'the documented graph has 34 edges');

INSERT INTO compmap.tenant (tenant_id, name) VALUES ('30000000-0000-4000-8000-0000000000c0', 'lifecycle');
SELECT finding_id AS dup FROM compmap.record_finding('30000000-0000-4000-8000-0000000000c0', 'the original', 'tap', scanner => 'tap', rule_id => 'orig') \gset

-- shortest path from new over the documented edges
CREATE FUNCTION pg_temp.path_to(target text) RETURNS text[] LANGUAGE sql AS $$
    WITH RECURSIVE walk(state, path) AS (
        SELECT 'new'::text, ARRAY['new']
        UNION ALL
        SELECT e.to_s, w.path || e.to_s FROM walk w JOIN documented_edge e ON e.from_s = w.state
         WHERE NOT e.to_s = ANY (w.path) AND array_length(w.path, 1) < 8)
    SELECT path FROM walk WHERE state = target ORDER BY array_length(path, 1), path LIMIT 1
$$;

CREATE FUNCTION pg_temp.matrix(dup uuid) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    a text;
    b text;
    step text;
    fid uuid;
    k int := 0;
    move text;
BEGIN
    FOR a IN SELECT s::text FROM compmap.finding_states() s LOOP
        FOR b IN SELECT s::text FROM compmap.finding_states() s LOOP
            k := k + 1;
            SELECT finding_id INTO fid FROM compmap.record_finding('30000000-0000-4000-8000-0000000000c0',
                'pair ' || k, 'tap', scanner => 'tap', rule_id => 'pair' || k, scanner_severity => 'high');
            FOREACH step IN ARRAY (pg_temp.path_to(a))[2:] LOOP
                PERFORM compmap.set_status(fid, step::compmap.finding_status, 'tap', note => 'because',
                                           assignee => 'owner', approver => 'ciso',
                                           valid_until => CURRENT_DATE + 30, duplicate_of => dup);
            END LOOP;
            move := format($f$SELECT compmap.set_status(%L, %L, 'tap', note => 'because', assignee => 'owner',
                                  approver => 'ciso', valid_until => CURRENT_DATE + 30, duplicate_of => %L)$f$, fid, b, dup);
            IF EXISTS (SELECT 1 FROM documented_edge WHERE from_s = a AND to_s = b) THEN
                RETURN NEXT lives_ok(move, a || ' -> ' || b || ' is allowed');
            ELSE
                RETURN NEXT throws_ok(move, '22023', 'finding status cannot change from ' || a || ' to ' || b,
                                      a || ' -> ' || b || ' is refused');
            END IF;
        END LOOP;
    END LOOP;
END $$;
SELECT * FROM pg_temp.matrix(:'dup');

SELECT * FROM finish();
ROLLBACK;

-- The customer's history that EvaluateCase reads (evaluation_store.c,
-- evaluation_history) from the index alone.
--
-- The history walks the customer's earlier cases by e-mail and by customer id
-- (0003's cases_by_customer_email_created, 0007's cases_by_customer_id_created)
-- and needs four columns of each: its id and creation time, which the keys
-- hold, and its outcome, currency and approved amount, which they did not, so
-- each earlier case cost a visit to its wide row: 50 earlier cases, 50 heap
-- pages. With the three columns included, the scan is index-only wherever
-- the visibility map says the page is settled, which the cases of a
-- customer's past are (docs/performance.md, "Evaluation and policy report":
-- 9 buffers instead of 54 for 50 earlier cases).
--
-- Same names and keys, so every other reader (ListCases by e-mail) keeps its
-- plan. The columns only change on a decision, which already rewrites the
-- indexes (state and updated_at are keys of others), so no update that was
-- HOT stops being so. Rebuilt in this migration's transaction: the table is
-- locked against writes while the two indexes are built (about a second per
-- million cases on the development machine).
DROP INDEX cases_by_customer_email_created;
CREATE INDEX cases_by_customer_email_created ON cases (customer_email, created_at DESC, id DESC)
  INCLUDE (outcome, currency, approved_minor);
DROP INDEX cases_by_customer_id_created;
CREATE INDEX cases_by_customer_id_created ON cases (customer_id, created_at DESC, id DESC)
  INCLUDE (outcome, currency, approved_minor) WHERE customer_id IS NOT NULL;

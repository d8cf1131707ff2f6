/* test-demo.c: the demo generator is deterministic, valid, realistic in shape, and cancellable */

#include <gio/gio.h>
#include <string.h>

#include "crm-contact-search.h"
#include "crm-contact.h"
#include "crm-demo.h"
#include "crm-pinyin.h"
#include "crm-purchase.h"
#include "crm-value.h"
#include "store-fixture.h"

#define REFERENCE_DATE "2024-12-31"

static void
generate (CrmStore     *store,
          guint64       n,
          guint64       seed,
          CrmDemoStats *stats)
{
  g_autoptr(GError) error = NULL;
  CrmDemoOptions opts;

  crm_demo_options_init (&opts);
  opts.n_contacts = n;
  opts.seed = seed;
  opts.reference_date = REFERENCE_DATE;
  opts.stats = stats;
  g_assert_true (crm_demo_generate (store, &opts, &error));
  g_assert_no_error (error);
}

/* Every row a query returns, one line per row, columns separated by tabs:
 * a fingerprint of the data that leaves out ids and clocks. */
static char *
dump_query (CrmStore   *store,
            const char *sql)
{
  GString *out = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (crm_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          const char *text = (const char *) sqlite3_column_text (stmt, i);

          g_string_append (out, text != NULL ? text : "NULL");
          g_string_append_c (out, '\t');
        }
      g_string_append_c (out, '\n');
    }
  sqlite3_finalize (stmt);
  return g_string_free (out, FALSE);
}

static const char contacts_dump_sql[] =
  "SELECT kind, name, name_pinyin, gender, birthday, occupation, title, emails,"
  " phones, address, province, city, source, tags, consent_email, consent_sms,"
  " notes, lifecycle, rfm_segment, purchase_count, total_spent"
  " FROM contacts ORDER BY rid";
static const char purchases_dump_sql[] =
  "SELECT c.name, p.product, p.category, p.quantity, p.amount, p.purchased_at, p.channel"
  " FROM purchases p JOIN contacts c ON c.id = p.contact_id ORDER BY c.rid, p.purchased_at, p.amount";
static const char history_dump_sql[] =
  "SELECT c.name, d.title, d.amount, s.name, d.closed_at, d.lost_reason,"
  " (SELECT group_concat (h.at, ',') FROM deal_stage_history h WHERE h.deal_id = d.id)"
  " FROM deals d JOIN contacts c ON c.id = d.contact_id JOIN stages s ON s.id = d.stage_id"
  " ORDER BY c.rid, d.created_at";
static const char service_dump_sql[] =
  "SELECT c.name, a.kind, a.subject, a.status, a.first_response_at, a.resolved_at, a.satisfaction"
  " FROM activities a JOIN contacts c ON c.id = a.contact_id ORDER BY c.rid, a.created_at, a.subject";

static void
test_demo_deterministic (void)
{
  StoreFixture a, b, c;
  CrmDemoStats stats_a, stats_b, stats_c;
  const char *queries[] = {
    contacts_dump_sql, purchases_dump_sql, history_dump_sql, service_dump_sql,
  };

  store_fixture_setup (&a, NULL);
  store_fixture_setup (&b, NULL);
  store_fixture_setup (&c, NULL);

  generate (a.store, 400, 42, &stats_a);
  generate (b.store, 400, 42, &stats_b);
  generate (c.store, 400, 43, &stats_c);

  g_assert_cmpmem (&stats_a, sizeof stats_a, &stats_b, sizeof stats_b);

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *dump_a = dump_query (a.store, queries[i]);
      g_autofree char *dump_b = dump_query (b.store, queries[i]);
      g_autofree char *dump_c = dump_query (c.store, queries[i]);

      g_assert_cmpuint (strlen (dump_a), >, 1000);
      g_assert_cmpstr (dump_a, ==, dump_b);
      /* Another seed, other people. */
      g_assert_cmpstr (dump_a, !=, dump_c);
    }

  /* Ids are fresh UUIDs each run: the content is what repeats. */
  {
    g_autofree char *id_a = store_query_text (a.store, "SELECT id FROM contacts ORDER BY rid LIMIT 1");
    g_autofree char *id_b = store_query_text (b.store, "SELECT id FROM contacts ORDER BY rid LIMIT 1");

    g_assert_cmpstr (id_a, !=, id_b);
  }

  store_fixture_teardown (&a, NULL);
  store_fixture_teardown (&b, NULL);
  store_fixture_teardown (&c, NULL);
}

static void
test_demo_counts (StoreFixture  *f,
                  gconstpointer  data)
{
  CrmDemoStats stats;
  CrmStore *store = f->store;
  gint64 cache_size = store_query_int (store, "PRAGMA cache_size");
  gint64 temp_store = store_query_int (store, "PRAGMA temp_store");

  generate (store, 1000, 7, &stats);

  /* The connection's tuning for the bulk write is undone. */
  g_assert_cmpint (store_query_int (store, "PRAGMA cache_size"), ==, cache_size);
  g_assert_cmpint (store_query_int (store, "PRAGMA temp_store"), ==, temp_store);

  g_assert_cmpuint (stats.contacts, ==, 1000);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM contacts"), ==, 1000);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM contacts WHERE kind = 'organization'"), ==, (gint64) stats.organizations);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM purchases"), ==, (gint64) stats.purchases);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM activities"), ==, (gint64) stats.activities);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM activities WHERE kind = 'complaint'"), ==, (gint64) stats.complaints);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM deals"), ==, (gint64) stats.deals);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM deal_stage_history"), ==, (gint64) stats.stage_changes);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM survey_responses"), ==, (gint64) stats.survey_responses);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM users WHERE username LIKE 'demo.%'"), ==, (gint64) stats.users);

  /* The shape the brief asks for: about 5 purchases per contact, a few
   * percent organizations, complaints, deals and survey answers. */
  g_assert_cmpuint (stats.purchases, >=, 3 * stats.contacts);
  g_assert_cmpuint (stats.purchases, <=, 7 * stats.contacts);
  g_assert_cmpuint (stats.organizations, >=, 20);
  g_assert_cmpuint (stats.organizations, <=, 100);
  g_assert_cmpuint (stats.complaints, >, 0);
  g_assert_cmpuint (stats.deals, >, 0);
  g_assert_cmpuint (stats.survey_responses, >, 0);
  g_assert_cmpuint (stats.users, ==, 12);

  /* Demo rows are local: nothing to push, nothing audited. */
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM outbox"), ==, 0);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM audit_log"), ==, 0);

  /* A second run adds contacts but reuses the users, pipelines and survey. */
  generate (store, 100, 8, &stats);
  g_assert_cmpuint (stats.users, ==, 0);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM contacts"), ==, 1100);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM users"), ==, 12);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM pipelines"), ==, 2);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM stages"), ==, 11);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM surveys"), ==, 1);
}

static void
test_demo_valid (StoreFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *report = NULL;
  CrmStore *store = f->store;
  sqlite3_stmt *stmt = NULL;
  guint n_contacts = 0, n_purchases = 0;

  generate (store, 500, 11, NULL);

  /* Integrity, foreign keys, the search index. */
  g_assert_true (crm_store_check (store, &report, &error));
  g_assert_no_error (error);

  g_assert_cmpint (sqlite3_prepare_v2 (crm_store_get_db (store),
                                       "SELECT id FROM contacts ORDER BY rid", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      g_autoptr(CrmContact) contact = crm_store_get (store, CRM_TYPE_CONTACT, id, &error);
      g_auto(GStrv) phones = NULL;
      const char * const *emails;

      g_assert_no_error (error);
      g_assert_nonnull (contact);
      crm_record_validate (CRM_RECORD (contact), &error);
      g_assert_no_error (error);

      /* The derived name columns are what the store itself would write. */
      {
        const char *name = crm_contact_get_name (contact);
        gboolean organization = g_strcmp0 (crm_contact_get_kind (contact), "organization") == 0;
        g_autofree char *full = NULL;
        g_autofree char *initials = NULL;
        g_autofree char *sort_key = crm_pinyin_sort_key (name);
        g_autoptr(GBytes) stored_key = NULL;

        crm_pinyin_convert (name, organization ? CRM_PINYIN_FLAGS_NONE : CRM_PINYIN_PERSON_NAME,
                            &full, &initials);
        g_assert_cmpstr (crm_record_get_string (CRM_RECORD (contact), "name_pinyin"), ==, full);
        g_assert_cmpstr (crm_record_get_string (CRM_RECORD (contact), "name_initials"), ==, initials);
        g_object_get (contact, "name-sort", &stored_key, NULL);
        g_assert_nonnull (stored_key);
        g_assert_cmpmem (g_bytes_get_data (stored_key, NULL), g_bytes_get_size (stored_key),
                         sort_key, strlen (sort_key));
      }

      /* What a person could have typed: each email and phone number goes
       * through the store's own parsers unchanged. */
      emails = crm_contact_get_emails (contact);
      for (guint i = 0; emails != NULL && emails[i] != NULL; i++)
        {
          g_autofree char *parsed = NULL;

          g_assert_true (crm_value_parse_email ("email", emails[i], &parsed, &error));
          g_assert_no_error (error);
          g_assert_cmpstr (parsed, ==, emails[i]);
        }
      phones = crm_contact_dup_phone_numbers (contact);
      for (guint i = 0; phones[i] != NULL; i++)
        {
          g_autofree char *parsed = NULL;

          g_assert_true (crm_value_parse_phone ("phone", phones[i], &parsed, &error));
          g_assert_no_error (error);
          g_assert_cmpstr (parsed, ==, phones[i]);
        }
      n_contacts++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (n_contacts, ==, 500);

  /* The raw form of each phone parses to its E.164 form. */
  g_assert_cmpint (sqlite3_prepare_v2 (crm_store_get_db (store),
                                       "SELECT json_extract (value, '$.raw'), json_extract (value, '$.e164')"
                                       " FROM contacts, json_each (contacts.phones)", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *parsed = NULL;

      g_assert_true (crm_value_parse_phone ("phone", (const char *) sqlite3_column_text (stmt, 0), &parsed, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (parsed, ==, (const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (crm_store_get_db (store),
                                       "SELECT id FROM purchases ORDER BY rowid LIMIT 300", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(CrmPurchase) purchase = crm_store_get (store, CRM_TYPE_PURCHASE,
                                                       (const char *) sqlite3_column_text (stmt, 0), &error);

      g_assert_no_error (error);
      crm_record_validate (CRM_RECORD (purchase), &error);
      g_assert_no_error (error);
      n_purchases++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (n_purchases, ==, 300);

  /* Emails and mobile numbers are unique; pinyin and sort keys are set. */
  g_assert_cmpint (store_query_int (store,
                                    "SELECT count(*) - count(DISTINCT value) FROM contacts, json_each (contacts.emails)"
                                    " WHERE substr (value, instr (value, '@') + 1) IN ('qq.com', '163.com', '126.com',"
                                    " 'sina.com', 'sohu.com', 'outlook.com', 'gmail.com', 'foxmail.com', '139.com',"
                                    " 'aliyun.com', 'hotmail.com', 'yahoo.com', 'icloud.com')"), ==, 0);
  g_assert_cmpint (store_query_int (store,
                                    "SELECT count(*) - count(DISTINCT json_extract (value, '$.e164'))"
                                    " FROM contacts, json_each (contacts.phones)"
                                    " WHERE json_extract (value, '$.e164') LIKE '+861%'"), ==, 0);
  g_assert_cmpint (store_query_int (store,
                                    "SELECT count(*) FROM contacts WHERE name_pinyin IS NULL OR name_pinyin = ''"
                                    " OR name_sort IS NULL"), ==, 0);

  /* Time runs forwards: nothing before its contact existed, nothing after
   * the reference day (in China, UTC+8), stage moves in order. */
  g_assert_cmpint (store_query_int (store,
                                    "SELECT count(*) FROM purchases p JOIN contacts c ON c.id = p.contact_id"
                                    " WHERE p.purchased_at < substr (c.created_at, 1, 19) || 'Z'"), ==, 0);
  g_assert_cmpint (store_query_int (store,
                                    "SELECT count(*) FROM purchases"
                                    " WHERE date (purchased_at, '+8 hours') > '" REFERENCE_DATE "'"
                                    " OR date (purchased_at, '+8 hours') <= date ('" REFERENCE_DATE "', '-3 years', '-1 day')"), ==, 0);
  g_assert_cmpint (store_query_int (store,
                                    "SELECT count(*) FROM activities"
                                    " WHERE kind = 'complaint' AND (first_response_at < substr (created_at, 1, 19) || 'Z'"
                                    " OR resolved_at < first_response_at"
                                    " OR (status IN ('resolved', 'closed')) <> (resolved_at IS NOT NULL)"
                                    " OR (first_response_at IS NULL) <> (status = 'open'))"), ==, 0);
  g_assert_cmpint (store_query_int (store,
                                    "SELECT count(*) FROM deals d WHERE stage_id IS NOT"
                                    " (SELECT to_stage_id FROM deal_stage_history h WHERE h.deal_id = d.id ORDER BY at DESC, rowid DESC LIMIT 1)"), ==, 0);
  g_assert_cmpint (store_query_int (store,
                                    "SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id"
                                    " WHERE (s.is_won OR s.is_lost) <> (d.closed_at IS NOT NULL)"
                                    " OR s.is_lost <> (d.lost_reason IS NOT NULL)"), ==, 0);
}

static void
test_demo_distribution (StoreFixture  *f,
                        gconstpointer  data)
{
  static const char * const lifecycles[] = {
    "lead", "first_time", "frequent", "active", "dormant", "churned",
  };
  CrmStore *store = f->store;
  gint64 n_days, n_purchases, double11, ordinary_days;
  gint64 promoters, detractors, n_nps;

  generate (store, 3000, 3, NULL);

  /* Every lifecycle stage, none of them marginal. */
  for (guint i = 0; i < G_N_ELEMENTS (lifecycles); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM contacts WHERE lifecycle = '%s'", lifecycles[i]);
      gint64 n = store_query_int (store, sql);

      g_test_message ("%s: %" G_GINT64_FORMAT, lifecycles[i], n);
      g_assert_cmpint (n, >=, 3000 / 30);
    }

  /* Every stage of both pipelines holds deals. */
  g_assert_cmpint (store_query_int (store,
                                    "SELECT count(*) FROM stages s WHERE NOT EXISTS"
                                    " (SELECT 1 FROM deals d WHERE d.stage_id = s.id)"), ==, 0);

  /* Seasonality: Double 11 sells several times an ordinary day. */
  n_purchases = store_query_int (store, "SELECT count(*) FROM purchases");
  n_days = 3 * 365 + 1;
  double11 = store_query_int (store,
                              "SELECT count(*) FROM purchases WHERE strftime ('%m-%d', purchased_at, '+8 hours') = '11-11'");
  ordinary_days = n_purchases / n_days;
  g_test_message ("purchases %" G_GINT64_FORMAT ", on Double 11 (3 years) %" G_GINT64_FORMAT,
                  n_purchases, double11);
  g_assert_cmpint (double11 / 3, >, 4 * ordinary_days);
  /* The week after the Spring Festival is quiet. */
  g_assert_cmpint (store_query_int (store,
                                    "SELECT count(*) FROM purchases WHERE date (purchased_at, '+8 hours')"
                                    " BETWEEN '2024-02-10' AND '2024-02-16'"), <, 7 * ordinary_days);
  /* Revenue grows year over year. */
  g_assert_cmpint (store_query_int (store, "SELECT sum (amount) FROM purchases WHERE purchased_at >= '2024-01-01'"), >,
                   store_query_int (store, "SELECT sum (amount) FROM purchases WHERE purchased_at >= '2023-01-01' AND purchased_at < '2024-01-01'"));

  /* Mostly Chinese people, some English names. */
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM contacts WHERE kind = 'person' AND name GLOB '*[A-Za-z]*'"), >, 3000 / 20);
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM contacts WHERE kind = 'person' AND name NOT GLOB '*[A-Za-z]*'"), >, 3000 * 7 / 10);

  /* NPS answers spread over promoters and detractors. */
  n_nps = store_query_int (store, "SELECT count(*) FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id WHERE q.kind = 'nps'");
  promoters = store_query_int (store, "SELECT count(*) FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id WHERE q.kind = 'nps' AND a.value_number >= 9");
  detractors = store_query_int (store, "SELECT count(*) FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id WHERE q.kind = 'nps' AND a.value_number <= 6");
  g_assert_cmpint (n_nps, >, 50);
  g_assert_cmpint (promoters, >, detractors);
  g_assert_cmpint (detractors, >, 0);

  /* Search works straight away. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *name = store_query_text (store, "SELECT name FROM contacts WHERE kind = 'person' ORDER BY rid LIMIT 1 OFFSET 17");
    g_autoptr(GPtrArray) ids = crm_contact_search (store, name, 10, 0, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (ids);
    g_assert_cmpuint (ids->len, >, 0);
    g_assert_false (crm_contact_search_get_deferred (store));
  }
}

static void
cancel_after_first_batch (guint64  done,
                          guint64  total,
                          gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
test_demo_cancel (StoreFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *report = NULL;
  CrmDemoOptions opts;
  CrmDemoStats stats;
  gint64 n;

  crm_demo_options_init (&opts);
  opts.n_contacts = 3000;
  opts.batch_contacts = 1000;
  opts.seed = 5;
  opts.reference_date = REFERENCE_DATE;
  opts.cancellable = cancellable;
  opts.progress = cancel_after_first_batch;
  opts.progress_data = cancellable;
  opts.stats = &stats;

  g_assert_false (crm_demo_generate (f->store, &opts, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Whole batches stay, each contact with its history; the rest is gone. */
  n = store_query_int (f->store, "SELECT count(*) FROM contacts");
  g_assert_cmpint (n, >, 0);
  g_assert_cmpint (n, ==, 1000);
  g_assert_cmpint (n, ==, (gint64) stats.contacts);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM purchases"), ==, (gint64) stats.purchases);

  /* Search and derived fields are consistent with what stayed. */
  g_assert_false (crm_contact_search_get_deferred (f->store));
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts WHERE purchase_count > 0 AND last_purchase_at IS NULL"), ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts c WHERE purchase_count <> (SELECT count(*) FROM purchases p WHERE p.contact_id = c.id)"), ==, 0);
  g_assert_true (crm_store_check (f->store, &report, &error));
  g_assert_no_error (error);

  /* Cancelled before it starts: nothing is written. */
  opts.progress = NULL;
  opts.n_contacts = 10;
  g_assert_false (crm_demo_generate (f->store, &opts, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, n);
}

static void
test_demo_bad_date (StoreFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CrmDemoOptions opts;

  crm_demo_options_init (&opts);
  opts.reference_date = "2024-02-30";
  g_assert_false (crm_demo_generate (f->store, &opts, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/demo/deterministic", test_demo_deterministic);
  STORE_TEST ("/demo/counts", test_demo_counts);
  STORE_TEST ("/demo/valid", test_demo_valid);
  STORE_TEST ("/demo/distribution", test_demo_distribution);
  STORE_TEST ("/demo/cancel", test_demo_cancel);
  STORE_TEST ("/demo/bad-date", test_demo_bad_date);

  return g_test_run ();
}

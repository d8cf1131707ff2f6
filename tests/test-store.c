/* test-store.c: opening, refusing bad files, schema, records, transactions, faults */

#include "config.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string.h>

#include "crm-activity.h"
#include "crm-campaign.h"
#include "crm-contact.h"
#include "crm-deal.h"
#include "crm-deal-product.h"
#include "crm-deal-stage-history.h"
#include "crm-pipeline.h"
#include "crm-purchase.h"
#include "crm-segment.h"
#include "crm-segment-rule.h"
#include "crm-stage.h"
#include "crm-store-bulk.h"
#include "crm-survey.h"
#include "crm-survey-invitation.h"
#include "crm-survey-question.h"
#include "crm-survey-response.h"
#include "crm-uuid.h"
#include "store-fixture.h"

static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("crm-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
test_store_default_path (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = NULL;
  g_autofree char *data_dir = NULL;
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  /* main() pointed XDG_DATA_HOME at a fresh folder before GLib read it. */
  path = crm_store_default_path ();
  g_assert_true (g_str_has_prefix (path, g_get_user_data_dir ()));
  g_assert_true (g_str_has_suffix (path, "/crm/crm.db"));

  store = crm_store_open (path, &error);
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  data_dir = g_path_get_dirname (path);
  g_assert_cmpint (g_stat (data_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  remove_tree (dir);
}

static void
test_store_schema (StoreFixture  *f,
                   gconstpointer  data)
{
  g_autofree char *mode = NULL;

  g_assert_cmpuint (crm_store_get_schema_version (f->store), ==, crm_store_get_latest_schema_version ());
  g_assert_cmpint (store_query_int (f->store, "PRAGMA user_version"), ==, crm_store_get_latest_schema_version ());
  g_assert_cmpint (store_query_int (f->store, "PRAGMA foreign_keys"), ==, 1);
  mode = store_query_text (f->store, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_true (crm_uuid_is_valid (crm_store_get_client_id (f->store)));

  /* Every entity of DESIGN.md §4. */
  {
    static const char * const tables[] = {
      "contacts", "purchases", "activities", "pipelines", "stages", "deals",
      "deal_stage_history", "segments", "campaigns", "campaign_members", "surveys",
      "survey_questions", "survey_responses", "survey_answers", "survey_invitations", "users", "roles",
      "teams", "audit_log", "meta", "outbox", "conflicts", "import_runs", "settings",
    };

    for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
      {
        g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%s'", tables[i]);

        g_test_message ("table %s", tables[i]);
        g_assert_cmpint (store_query_int (f->store, sql), ==, 1);
      }
  }

  /* Every synced table has the common columns and the sync triggers. */
  for (const char * const *t = crm_store_get_synced_tables (); *t != NULL; t++)
    {
      g_autofree char *columns = g_strdup_printf ("SELECT count(*) FROM pragma_table_info ('%s') WHERE name IN"
                                                  " ('id', 'created_at', 'updated_at', 'server_version', 'deleted', 'owner_id')", *t);
      g_autofree char *triggers = g_strdup_printf ("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = '%s'"
                                                   " AND name LIKE '%%_sync_%%'", *t);

      g_test_message ("synced table %s", *t);
      g_assert_cmpint (store_query_int (f->store, columns), ==, 6);
      g_assert_cmpint (store_query_int (f->store, triggers), ==, 3);
    }
}

/* A record class and its table must agree both ways, or inserts fail at
 * run time (class has more) or data is silently not loaded (table has more). */
static void
test_store_classes_match_tables (StoreFixture  *f,
                                 gconstpointer  data)
{
  GType types[] = {
    CRM_TYPE_CONTACT, CRM_TYPE_PURCHASE, CRM_TYPE_ACTIVITY, CRM_TYPE_DEAL, CRM_TYPE_STAGE,
    CRM_TYPE_PIPELINE, CRM_TYPE_CAMPAIGN, CRM_TYPE_SEGMENT, CRM_TYPE_SURVEY,
    CRM_TYPE_SURVEY_QUESTION, CRM_TYPE_SURVEY_RESPONSE, CRM_TYPE_SURVEY_INVITATION,
    CRM_TYPE_DEAL_PRODUCT, CRM_TYPE_DEAL_STAGE_HISTORY,
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      CrmRecordClass *klass = g_type_class_ref (types[i]);
      const char *table = crm_record_class_get_table (klass);
      guint n = crm_record_class_get_n_columns (klass);
      g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM pragma_table_info ('%s') WHERE name <> 'rid'", table);

      g_test_message ("%s ↔ %s", g_type_name (types[i]), table);
      g_assert_cmpint (store_query_int (f->store, count_sql), ==, n);
      for (guint c = 0; c < n; c++)
        {
          const CrmColumn *column = crm_record_class_get_column (klass, c);
          g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM pragma_table_info ('%s') WHERE name = '%s'",
                                                  table, column->name);
          g_autofree char *kebab = g_strdelimit (g_strdup (column->name), "_", '-');

          g_assert_cmpint (store_query_int (f->store, sql), ==, 1);
          g_assert_nonnull (g_object_class_find_property (G_OBJECT_CLASS (klass), kebab));
        }
      g_type_class_unref (klass);
    }
}

static void
test_store_not_a_database (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "junk.db", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) store = NULL;
  guint8 junk[4096];

  for (guint i = 0; i < sizeof junk; i++)
    junk[i] = (guint8) g_random_int ();
  g_assert_true (g_file_set_contents (path, (const char *) junk, sizeof junk, NULL));
  before = file_sha256 (path);

  store = crm_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_A_DATABASE);
  g_assert_nonnull (strstr (error->message, path));

  after = file_sha256 (path);
  g_assert_cmpstr (before, ==, after);
  /* Not even side files next to it. */
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);

    g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  }
  remove_tree (dir);
}

static char *
make_database (const char *dir,
               const char *name,
               guint       n_contacts)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) store = crm_store_open (path, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n_contacts; i++)
    {
      g_autoptr(CrmContact) contact = crm_contact_new ();
      g_autofree char *name_text = g_strdup_printf ("Contact %u", i);

      crm_contact_set_name (contact, name_text);
      g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
      g_assert_no_error (error);
    }
  g_assert_finalize_object (g_steal_pointer (&store));
  return path;
}

static void
test_store_corrupt (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = make_database (dir, "corrupt.db", 3);
  g_autofree char *contents = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) store = NULL;
  gsize length;

  /* Keep the header, destroy the schema on page 1. */
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  for (gsize i = 100; i < 4096 && i < length; i++)
    contents[i] = (char) (0x5a ^ i);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  before = file_sha256 (path);

  store = crm_store_open (path, &error);
  g_assert_null (store);
  g_assert_true (g_error_matches (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT) ||
                 g_error_matches (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_A_DATABASE));
  g_assert_nonnull (strstr (error->message, path));
  g_test_message ("%s", error->message);

  after = file_sha256 (path);
  g_assert_cmpstr (before, ==, after);
  remove_tree (dir);
}

static void
test_store_too_new (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = make_database (dir, "newer.db", 2);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) store = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 9999", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  before = file_sha256 (path);

  store = crm_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_TOO_NEW);
  expected = g_strdup_printf ("schema 9999, this version knows %u", crm_store_get_latest_schema_version ());
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_nonnull (strstr (error->message, "newer version of CRM"));

  after = file_sha256 (path);
  g_assert_cmpstr (before, ==, after);

  /* Read-only opening refuses it just the same. */
  g_clear_error (&error);
  store = crm_store_open_full (path, CRM_STORE_OPEN_READ_ONLY, &error);
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_TOO_NEW);
  remove_tree (dir);
}

static void
test_store_crud (StoreFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(CrmContact) loaded = NULL;
  g_autoptr(CrmContact) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *updated_before = NULL;

  g_assert_true (crm_contact_set_field_from_string (contact, "name", "张三丰", &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "birthday", "1990-03-05", &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "phone", "138 1234 5678", &error));
  g_assert_no_error (error);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
  g_assert_false (crm_record_has_changes (CRM_RECORD (contact)));

  id = g_strdup (crm_record_get_id (CRM_RECORD (contact)));
  g_assert_true (crm_uuid_is_valid (id));
  g_assert_nonnull (crm_record_get_created_at (CRM_RECORD (contact)));

  loaded = crm_store_get (f->store, CRM_TYPE_CONTACT, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_contact_get_name (loaded), ==, "张三丰");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (loaded), "birthday"), ==, "1990-03-05");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (loaded), "name_pinyin"), ==, "zhangsanfeng");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (loaded), "name_initials"), ==, "zsf");
  g_assert_cmpstr (crm_contact_get_lifecycle (loaded), ==, "lead");
  g_assert_false (crm_record_has_changes (CRM_RECORD (loaded)));
  {
    g_auto(GStrv) phones = crm_contact_dup_phone_numbers (loaded);

    g_assert_cmpstr (phones[0], ==, "+8613812345678");
  }

  updated_before = g_strdup (crm_record_get_updated_at (CRM_RECORD (loaded)));
  g_object_set (loaded, "occupation", "道士", NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (loaded), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (crm_record_get_updated_at (CRM_RECORD (loaded)), >, updated_before);

  again = crm_store_get (f->store, CRM_TYPE_CONTACT, id, &error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (again), "occupation"), ==, "道士");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (again), "birthday"), ==, "1990-03-05");
  g_clear_object (&again);

  g_assert_true (crm_store_delete (f->store, CRM_TYPE_CONTACT, id, &error));
  g_assert_no_error (error);
  again = crm_store_get (f->store, CRM_TYPE_CONTACT, id, &error);
  g_assert_true (crm_record_get_deleted (CRM_RECORD (again)));
  g_clear_object (&again);
  /* Deleting twice is harmless. */
  g_assert_true (crm_store_delete (f->store, CRM_TYPE_CONTACT, id, &error));

  g_assert_true (crm_store_undelete (f->store, CRM_TYPE_CONTACT, id, &error));
  again = crm_store_get (f->store, CRM_TYPE_CONTACT, id, &error);
  g_assert_false (crm_record_get_deleted (CRM_RECORD (again)));

  /* Unknown ids. */
  g_assert_null (crm_store_get (f->store, CRM_TYPE_CONTACT, "0190c5e2-0000-7000-8000-000000000000", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (crm_store_delete (f->store, CRM_TYPE_CONTACT, "0190c5e2-0000-7000-8000-000000000000", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
}

static void
test_store_invalid_rejected (StoreFixture  *f,
                             gconstpointer  data)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(CrmPurchase) purchase = crm_purchase_new ();
  g_autoptr(GError) error = NULL;

  /* Values set as properties skip the text parser; the store still checks. */
  g_object_set (contact, "name", "Bad Enum", "gender", "robot", NULL);
  g_assert_false (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "gender"));
  g_clear_error (&error);

  g_object_set (contact, "gender", NULL, "birthday", "2023-02-30", NULL);
  g_assert_false (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_object_set (contact, "birthday", NULL, "name", "", NULL);
  g_assert_false (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Negative quantity, given as a property. */
  g_object_set (contact, "name", "Valid", NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  g_object_set (purchase,
                "contact-id", crm_record_get_id (CRM_RECORD (contact)),
                "product", "Tea",
                "purchased-at", "2024-01-01T10:00:00Z",
                "quantity", (gint64) -2,
                NULL);
  g_assert_false (crm_store_insert (f->store, CRM_RECORD (purchase), &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "quantity"));
  g_clear_error (&error);

  /* A purchase of a contact that does not exist: the foreign key. */
  g_object_set (purchase, "quantity", (gint64) 1,
                "contact-id", "0190c5e2-0000-7000-8000-000000000000", NULL);
  g_assert_false (crm_store_insert (f->store, CRM_RECORD (purchase), &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 1);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM purchases"), ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM outbox"), ==, 1);
}

static void
on_changed (CrmStore   *store,
            const char *table,
            const char *id,
            GPtrArray  *log)
{
  g_ptr_array_add (log, g_strdup_printf ("%s:%s", table ? table : "*", id ? id : "*"));
}

static void
test_store_transactions (StoreFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmContact) a = crm_contact_new ();
  g_autoptr(CrmContact) b = crm_contact_new ();
  g_autoptr(CrmContact) c = crm_contact_new ();
  g_autofree char *expected = NULL;
  gulong handler;

  handler = g_signal_connect (f->store, "changed::contacts", G_CALLBACK (on_changed), log);

  crm_contact_set_name (a, "A");
  crm_contact_set_name (b, "B");
  g_assert_true (crm_store_begin (f->store, &error));
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (a), &error));
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (b), &error));
  g_assert_no_error (error);
  /* Nothing is announced before the outermost commit. */
  g_assert_cmpuint (log->len, ==, 0);
  crm_store_rollback (f->store);
  g_assert_cmpuint (log->len, ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM outbox"), ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM audit_log"), ==, 0);

  /* An inner failure rolls back its savepoint only. */
  crm_contact_set_name (c, "C");
  g_assert_true (crm_store_begin (f->store, &error));
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (c), &error));
  {
    g_autoptr(CrmContact) bad = crm_contact_new ();

    g_object_set (bad, "name", "Bad", "kind", "alien", NULL);
    g_assert_false (crm_store_insert (f->store, CRM_RECORD (bad), &error));
    g_clear_error (&error);
  }
  g_assert_true (crm_store_commit (f->store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 1);
  expected = g_strdup_printf ("contacts:%s", crm_record_get_id (CRM_RECORD (c)));
  g_assert_cmpstr (g_ptr_array_index (log, 0), ==, expected);

  /* Mutation ids continue without a gap after the rollback. */
  g_assert_cmpint (store_query_int (f->store, "SELECT min(mutation_id) FROM outbox"), ==, 1);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM outbox"), ==, 1);

  g_signal_handler_disconnect (f->store, handler);
}

static void
test_store_read_only (StoreFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(CrmStore) ro = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  crm_contact_set_name (contact, "Existing");
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  g_assert_finalize_object (g_steal_pointer (&f->store));
  before = file_sha256 (f->path);

  ro = crm_store_open_full (f->path, CRM_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_true (crm_store_is_read_only (ro));
  {
    g_autoptr(CrmContact) loaded = crm_store_get (ro, CRM_TYPE_CONTACT, crm_record_get_id (CRM_RECORD (contact)), &error);

    g_assert_no_error (error);
    g_assert_cmpstr (crm_contact_get_name (loaded), ==, "Existing");
    g_object_set (loaded, "notes", "changed", NULL);
    g_assert_false (crm_store_update (ro, CRM_RECORD (loaded), &error));
    g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_READ_ONLY);
    g_clear_error (&error);
  }
  {
    g_autoptr(CrmContact) other = crm_contact_new ();

    crm_contact_set_name (other, "New");
    g_assert_false (crm_store_insert (ro, CRM_RECORD (other), &error));
    g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_READ_ONLY);
    g_clear_error (&error);
  }
  /* Raw SQL through the connection is refused by SQLite as well. */
  g_assert_false (crm_store_exec (ro, "INSERT INTO settings VALUES ('k', 'v')", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_finalize_object (g_steal_pointer (&ro));

  after = file_sha256 (f->path);
  g_assert_cmpstr (before, ==, after);

  /* A file the user may not write: only meaningful when not root. */
  if (geteuid () != 0)
    {
      g_assert_cmpint (g_chmod (f->path, 0400), ==, 0);
      ro = crm_store_open (f->path, &error);
      g_assert_no_error (error);
      g_assert_true (crm_store_is_read_only (ro));
      g_assert_false (crm_store_delete (ro, CRM_TYPE_CONTACT, crm_record_get_id (CRM_RECORD (contact)), &error));
      g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_READ_ONLY);
      g_assert_finalize_object (g_steal_pointer (&ro));
      g_chmod (f->path, 0600);
    }
  else
    g_test_message ("running as root: chmod 0400 does not stop root, checked the read-only open instead");
}

static void
test_store_disk_full (StoreFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *limit = NULL;
  g_autofree char *big = NULL;
  gint64 contacts_before, outbox_before;
  guint failures = 0;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(CrmContact) contact = crm_contact_new ();

      crm_contact_set_name (contact, "Before");
      g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
    }
  contacts_before = store_query_int (f->store, "SELECT count(*) FROM contacts");
  outbox_before = store_query_int (f->store, "SELECT count(*) FROM outbox");

  /* The database may not grow: the next pages it needs are "the disk". */
  limit = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                           store_query_int (f->store, "PRAGMA page_count"));
  g_assert_true (crm_store_exec (f->store, limit, &error));

  big = g_strnfill (90000, 'x');   /* under the 100,000-character limit of a text field */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CrmContact) contact = crm_contact_new ();

      g_object_set (contact, "name", "Too big", "notes", big, NULL);
      if (!crm_store_insert (f->store, CRM_RECORD (contact), &error))
        {
          g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_DISK_FULL);
          g_assert_nonnull (strstr (error->message, "full"));
          g_clear_error (&error);
          failures++;
        }
    }
  g_assert_cmpuint (failures, ==, 3);

  /* A bulk write fails as a whole. */
  g_assert_true (crm_store_begin (f->store, &error));
  {
    gboolean ok = TRUE;

    for (guint i = 0; i < 50 && ok; i++)
      {
        g_autoptr(CrmContact) contact = crm_contact_new ();

        g_object_set (contact, "name", "Bulk", "notes", big + 80000, NULL);
        ok = crm_store_insert (f->store, CRM_RECORD (contact), &error);
      }
    g_assert_false (ok);
    g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_DISK_FULL);
    g_clear_error (&error);
    crm_store_rollback (f->store);
  }

  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, contacts_before);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM outbox"), ==, outbox_before);
  g_assert_cmpint (store_query_int (f->store, "SELECT last_mutation_id FROM local_state"), ==, outbox_before);

  /* With room again, writing resumes and ids stay consecutive. */
  g_assert_true (crm_store_exec (f->store, "PRAGMA max_page_count = 1073741823", &error));
  {
    g_autoptr(CrmContact) contact = crm_contact_new ();

    crm_contact_set_name (contact, "After");
    g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (store_query_int (f->store, "SELECT max(mutation_id) FROM outbox"), ==, outbox_before + 1);
  g_assert_true (crm_store_check (f->store, NULL, &error));
  g_assert_no_error (error);
}

/* A child writes contacts in small transactions and reports each commit
 * through a pipe; the parent kills it with SIGKILL mid-way. */
static void
test_store_kill_during_bulk_write (StoreFixture  *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  int fds[2];
  pid_t pid;
  guint committed = 0;
  int status;

  g_assert_finalize_object (g_steal_pointer (&f->store));
  g_assert_cmpint (pipe (fds), ==, 0);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      CrmStore *store;

      close (fds[0]);
      store = crm_store_open (f->path, NULL);
      if (store == NULL)
        _exit (3);
      for (guint batch = 0; ; batch++)
        {
          guint32 n = batch + 1;

          if (!crm_store_begin (store, NULL))
            _exit (4);
          for (guint i = 0; i < 20; i++)
            {
              CrmContact *contact = crm_contact_new ();
              char name[64];

              g_snprintf (name, sizeof name, "Bulk %u-%u", batch, i);
              crm_contact_set_name (contact, name);
              if (!crm_store_insert (store, CRM_RECORD (contact), NULL))
                _exit (5);
              g_object_unref (contact);
            }
          if (!crm_store_commit (store, NULL))
            _exit (6);
          if (write (fds[1], &n, sizeof n) != sizeof n)
            _exit (7);
        }
    }

  close (fds[1]);
  while (committed < 25)
    {
      guint32 n;

      g_assert_cmpint (read (fds[0], &n, sizeof n), ==, sizeof n);
      committed = n;
    }
  kill (pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  close (fds[0]);

  f->store = crm_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (crm_store_check (f->store, NULL, &error));
  g_assert_no_error (error);

  /* Whole batches only, at least those reported committed. */
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), >=, committed * 20);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts") % 20, ==, 0);
  /* Every committed row has its mutation, and ids are 1..n without gaps. */
  g_assert_cmpint (store_query_int (f->store,
                                    "SELECT count(*) FROM contacts c WHERE NOT EXISTS"
                                    " (SELECT 1 FROM outbox o WHERE o.table_name = 'contacts' AND o.row_id = c.id AND o.op = 'insert')"),
                   ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM outbox"), ==,
                   store_query_int (f->store, "SELECT count(*) FROM contacts"));
  g_assert_cmpint (store_query_int (f->store, "SELECT max(mutation_id) - count(*) FROM outbox"), ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT last_mutation_id FROM local_state"), ==,
                   store_query_int (f->store, "SELECT count(*) FROM outbox"));
}

static void
test_store_hlc_persists (StoreFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *client = g_strdup (crm_store_get_client_id (f->store));
  g_autofree char *first = NULL;
  g_autofree char *next = NULL;

  crm_contact_set_name (contact, "Clock");
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  first = g_strdup (crm_record_get_updated_at (CRM_RECORD (contact)));
  g_assert_true (g_str_has_suffix (first, client));

  /* Pretend the last clock value was far in the future (a clock that was
   * set wrong and then fixed): the clock must stay above it. */
  g_assert_true (crm_store_exec (f->store,
                                 "UPDATE meta SET value = '2999-01-01T00:00:00.000Z-0007-' || (SELECT value FROM meta WHERE key = 'client_id') WHERE key = 'hlc'",
                                 &error));
  g_assert_finalize_object (g_steal_pointer (&f->store));

  f->store = crm_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_store_get_client_id (f->store), ==, client);
  next = crm_store_next_hlc (f->store);
  g_assert_true (g_str_has_prefix (next, "2999-01-01T00:00:00.000Z-0008-"));
}

/* Version 4 added deals.position and notes and pipelines.monthly_target:
 * a version 3 database (the columns and their triggers taken away again)
 * gains them on open, keeps its deals, and syncs the new columns. */
/* What migration 5 added, for making a database of an older version. */
#define DOWNGRADE_MIGRATION_5 \
  "DROP TRIGGER activities_sync_insert; DROP TRIGGER activities_sync_update; DROP TRIGGER activities_sync_delete;" \
  "DROP INDEX activities_survey_response;" \
  "ALTER TABLE activities DROP COLUMN category; ALTER TABLE activities DROP COLUMN survey_response_id;" \
  "DROP TABLE survey_invitations;"

/* What migration 7 added: run it first of the downgrades. */
#define DOWNGRADE_MIGRATION_7 \
  "DROP INDEX activities_open_tasks;"

/* What migration 13 added: run it first of the downgrades. */
#define DOWNGRADE_MIGRATION_13 \
  "DROP TRIGGER deal_products_sync_insert; DROP TRIGGER deal_products_sync_update;" \
  "DROP TRIGGER IF EXISTS deal_products_sync_delete; DROP TABLE deal_products;"

/* What migration 12 added: run it after DOWNGRADE_MIGRATION_13. */
#define DOWNGRADE_MIGRATION_12 \
  "DROP TRIGGER purchases_months_insert; DROP TRIGGER purchases_months_update; DROP TRIGGER purchases_months_delete;" \
  "DROP TABLE purchase_months; DROP TABLE cohort_months; DROP TABLE local_months;" \
  "DELETE FROM meta WHERE key = 'local_months_zone';"

/* What migration 11 changed: run it first of the downgrades. */
#define DOWNGRADE_MIGRATION_11 \
  "DROP INDEX contacts_segment; DROP INDEX purchases_contact_facts;" \
  "CREATE INDEX purchases_contact_at ON purchases (contact_id, purchased_at, deleted);" \
  "DROP INDEX contacts_birthday;" \
  "CREATE INDEX contacts_birthday ON contacts (substr (birthday, 6)) WHERE birthday IS NOT NULL;"

/* What migration 10 added. */
#define DOWNGRADE_MIGRATION_10 \
  "DROP TRIGGER purchases_stats_insert; DROP TRIGGER purchases_stats_update; DROP TRIGGER purchases_stats_delete;" \
  "DROP TABLE purchase_stats; DROP TABLE purchase_hours; DROP INDEX contacts_created;" \
  "DROP INDEX contacts_lifecycle; CREATE INDEX contacts_lifecycle ON contacts (deleted, lifecycle);"

/* What migration 9 added. */
#define DOWNGRADE_MIGRATION_9 \
  "ALTER TABLE conflicts DROP COLUMN remote_by;"

#define DOWNGRADE_MIGRATION_8 \
  "DROP INDEX purchases_at_amount; DROP INDEX purchases_contact_at; DROP INDEX contacts_analytics;" \
  "CREATE INDEX purchases_at ON purchases (purchased_at);" \
  "CREATE INDEX purchases_contact ON purchases (contact_id, purchased_at);"

/* What migration 6 added (after DOWNGRADE_MIGRATION_5 when both are used). */
#define DOWNGRADE_MIGRATION_6 \
  "DROP TRIGGER IF EXISTS activities_sync_insert; DROP TRIGGER IF EXISTS activities_sync_update;" \
  "DROP TRIGGER IF EXISTS activities_sync_delete;" \
  "DROP TRIGGER campaigns_sync_insert; DROP TRIGGER campaigns_sync_update; DROP TRIGGER campaigns_sync_delete;" \
  "DROP TRIGGER campaign_members_sync_insert; DROP TRIGGER campaign_members_sync_update;" \
  "DROP TRIGGER campaign_members_sync_delete;" \
  "DROP INDEX activities_greeting; ALTER TABLE activities DROP COLUMN greeting_key;" \
  "ALTER TABLE campaigns DROP COLUMN excluded_no_consent; ALTER TABLE campaigns DROP COLUMN excluded_no_address;" \
  "ALTER TABLE campaigns DROP COLUMN attribution_days;" \
  "ALTER TABLE campaign_members DROP COLUMN variant; ALTER TABLE campaign_members DROP COLUMN address;" \
  "ALTER TABLE campaign_members DROP COLUMN attempts; ALTER TABLE campaign_members DROP COLUMN next_attempt_at;" \
  "ALTER TABLE campaign_members DROP COLUMN sending_at;"

/* Whether SQLite answers @sql through index @index alone. */
static gboolean
plan_covered_by (CrmStore   *store,
                 const char *sql,
                 const char *index)
{
  g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
  g_autofree char *covering = g_strconcat ("COVERING INDEX ", index, " ", NULL);
  sqlite3_stmt *plan = NULL;
  gboolean found = FALSE;

  g_assert_cmpint (sqlite3_prepare_v2 (crm_store_get_db (store), explain, -1, &plan, NULL), ==, SQLITE_OK);
  while (sqlite3_step (plan) == SQLITE_ROW)
    found |= strstr ((const char *) sqlite3_column_text (plan, 3), covering) != NULL;
  sqlite3_finalize (plan);
  return found;
}

/* The plan of @sql mentions @what. */
static gboolean
plan_mentions (CrmStore   *store,
               const char *sql,
               const char *what)
{
  g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
  sqlite3_stmt *plan = NULL;
  gboolean found = FALSE;

  g_assert_cmpint (sqlite3_prepare_v2 (crm_store_get_db (store), explain, -1, &plan, NULL), ==, SQLITE_OK);
  while (sqlite3_step (plan) == SQLITE_ROW)
    found |= strstr ((const char *) sqlite3_column_text (plan, 3), what) != NULL;
  sqlite3_finalize (plan);
  return found;
}

/* A version 10 database gets the segment indexes: a province, age,
 * lifecycle and category rule reads no contact or purchase row, an age
 * rule alone no longer walks contacts through the birthday index, and
 * the birthday reminders still seek it. */
static void
test_store_migration_11 (StoreFixture  *f,
                         gconstpointer  data)
{
  static const char rule[] =
    "{\"all\": [{\"field\": \"province\", \"op\": \"eq\", \"value\": \"广东省\"},"
    "{\"field\": \"age\", \"op\": \"between\", \"value\": [25, 45]},"
    "{\"field\": \"lifecycle\", \"op\": \"in\", \"value\": [\"frequent\", \"active\"]},"
    "{\"field\": \"bought_category\", \"op\": \"eq\", \"value\": \"数码电子\", \"within_days\": 365}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSegmentQuery) query = NULL;
  g_autoptr(CrmSegmentQuery) age = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *age_sql = NULL;
  sqlite3 *db = crm_store_get_db (f->store);

  g_assert_cmpint (sqlite3_exec (db, DOWNGRADE_MIGRATION_13 DOWNGRADE_MIGRATION_12 DOWNGRADE_MIGRATION_11 "PRAGMA user_version = 10", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (plan_mentions (f->store, "SELECT count (*) FROM contacts WHERE +deleted = 0 AND birthday > '1990-01-01'",
                                "contacts_birthday"));
  g_assert_finalize_object (g_steal_pointer (&f->store));

  f->store = crm_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (crm_store_get_schema_version (f->store), ==, crm_store_get_latest_schema_version ());
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM sqlite_master WHERE name = 'purchases_contact_at'"), ==, 0);

  query = crm_segment_query_new (rule, "2026-12-01", &error);
  g_assert_no_error (error);
  sql = g_strconcat ("SELECT count (*) FROM contacts c WHERE ", crm_segment_query_get_live_condition (query),
                     " AND ", crm_segment_query_get_predicate (query), NULL);
  g_assert_true (plan_mentions (f->store, sql, "SEARCH c USING COVERING INDEX contacts_segment (province=? AND birthday>? AND birthday<?)"));
  g_assert_true (plan_covered_by (f->store, sql, "purchases_contact_facts"));

  age = crm_segment_query_new ("{\"all\": [{\"field\": \"age\", \"op\": \"ge\", \"value\": 30}]}", "2026-12-01", &error);
  g_assert_no_error (error);
  age_sql = g_strconcat ("SELECT count (*) FROM contacts c WHERE ", crm_segment_query_get_live_condition (age),
                         " AND ", crm_segment_query_get_predicate (age), NULL);
  g_assert_false (plan_mentions (f->store, age_sql, "contacts_birthday"));
  g_assert_true (plan_mentions (f->store, age_sql, "SCAN c USING COVERING INDEX contacts_segment"));

  g_assert_true (plan_mentions (f->store,
                                "SELECT id FROM contacts WHERE birthday IS NOT NULL AND +deleted = 0"
                                " AND substr (birthday, 6) BETWEEN '03-01' AND '03-07'"
                                " ORDER BY substr (birthday, 6), rowid LIMIT 10",
                                "SEARCH contacts USING INDEX contacts_birthday"));
}

/* A version 9 database with purchases gets the purchase summaries filled
 * from them (deleted purchases left out), and their triggers from then on. */
static void
test_store_migration_10 (StoreFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = crm_store_get_db (f->store);
  g_autofree char *a = store_add_contact (f->store, "甲");
  g_autofree char *b = store_add_contact (f->store, "乙");
  g_autofree char *sql = g_strdup_printf (
    "INSERT INTO purchases (id, created_at, updated_at, contact_id, product, amount, purchased_at, deleted) VALUES"
    " ('00000000-0000-7000-8000-000000000p01', 'x', 'x', '%s', 'p', 10, '2024-01-05T10:00:00Z', 0),"
    " ('00000000-0000-7000-8000-000000000p02', 'x', 'x', '%s', 'p', 20, '2024-03-05T10:20:00Z', 0),"
    " ('00000000-0000-7000-8000-000000000p03', 'x', 'x', '%s', 'p', 40, '2023-03-05T10:00:00Z', 1),"
    " ('00000000-0000-7000-8000-000000000p04', 'x', 'x', '%s', 'p', 80, '2024-03-05T10:40:00Z', 0);",
    a, a, a, b);

  g_assert_cmpint (sqlite3_exec (db, DOWNGRADE_MIGRATION_13 DOWNGRADE_MIGRATION_12 DOWNGRADE_MIGRATION_11 DOWNGRADE_MIGRATION_10 "PRAGMA user_version = 9", NULL, NULL, NULL), ==, SQLITE_OK);
  /* Written while version 9, with no trigger to count them. */
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_finalize_object (g_steal_pointer (&f->store));

  f->store = crm_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (crm_store_get_schema_version (f->store), ==, crm_store_get_latest_schema_version ());
  g_free (sql);
  sql = g_strdup_printf ("SELECT first_at || ' ' || last_at || ' ' || orders || ' ' || revenue"
                         " FROM purchase_stats WHERE contact_id = '%s'", a);
  {
    g_autofree char *stats = store_query_text (f->store, sql);

    g_assert_cmpstr (stats, ==, "2024-01-05T10:00:00Z 2024-03-05T10:20:00Z 2 30");
  }
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM purchase_stats"), ==, 2);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM purchase_stats"
                                    " WHERE prev_at = '2024-01-05T10:00:00Z'"), ==, 1);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM purchase_stats WHERE prev_at IS NULL"), ==, 1);
  g_assert_cmpint (store_query_int (f->store, "SELECT orders * 1000 + revenue FROM purchase_hours"
                                    " WHERE hour = '2024-03-05T10'"), ==, 2100);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM purchase_hours"), ==, 2);

  /* The triggers work on the upgraded database. */
  g_free (sql);
  sql = g_strdup_printf ("UPDATE purchases SET deleted = 1 WHERE contact_id = '%s'", b);
  g_assert_true (crm_store_exec (f->store, sql, &error));
  g_assert_no_error (error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM purchase_stats"), ==, 1);
  g_assert_cmpint (store_query_int (f->store, "SELECT revenue FROM purchase_hours WHERE hour = '2024-03-05T10'"), ==, 20);
}

/* A version 10 database with purchases gets them summed per customer and
 * local month, and its cohorts counted, from then on by triggers. */
static void
test_store_migration_12 (StoreFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = crm_store_get_db (f->store);
  g_autofree char *a = store_add_contact (f->store, "甲");
  g_autofree char *b = store_add_contact (f->store, "乙");
  g_autofree char *sql = g_strdup_printf (
    "INSERT INTO purchases (id, created_at, updated_at, contact_id, product, amount, purchased_at, deleted) VALUES"
    " ('00000000-0000-7000-8000-000000000p01', 'x', 'x', '%s', 'p', 10, '2024-01-05T10:00:00Z', 0),"
    " ('00000000-0000-7000-8000-000000000p02', 'x', 'x', '%s', 'p', 20, '2024-03-05T10:20:00Z', 0),"
    " ('00000000-0000-7000-8000-000000000p03', 'x', 'x', '%s', 'p', 40, '2023-03-05T10:00:00Z', 1),"
    " ('00000000-0000-7000-8000-000000000p04', 'x', 'x', '%s', 'p', 80, '2024-03-31T23:59:59Z', 0),"
    " ('00000000-0000-7000-8000-000000000p05', 'x', 'x', '%s', 'p', 80, '2024-04-01T00:00:00Z', 0);",
    a, a, a, b, b);
  g_autofree char *zone = NULL;

  g_assert_cmpint (sqlite3_exec (db, DOWNGRADE_MIGRATION_13 DOWNGRADE_MIGRATION_12 "PRAGMA user_version = 11", NULL, NULL, NULL), ==, SQLITE_OK);
  /* Written while version 11, with no trigger to count them. */
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_finalize_object (g_steal_pointer (&f->store));

  /* Built in UTC: months are UTC months. */
  zone = g_strdup (g_getenv ("TZ"));
  g_setenv ("TZ", "UTC", TRUE);
  f->store = crm_store_open (f->path, &error);
  if (zone != NULL)
    g_setenv ("TZ", zone, TRUE);
  else
    g_unsetenv ("TZ");
  g_assert_no_error (error);
  g_assert_cmpuint (crm_store_get_schema_version (f->store), ==, crm_store_get_latest_schema_version ());
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM local_months"), ==, 301 * 12);
  g_free (sql);
  sql = store_query_text (f->store, "SELECT group_concat (month || ':' || orders, ' ')"
                                    " FROM (SELECT * FROM purchase_months ORDER BY contact_id, month)");
  g_assert_cmpstr (sql, ==, g_strcmp0 (a, b) < 0 ? "24288:1 24290:1 24290:1 24291:1" : "24290:1 24291:1 24288:1 24290:1");
  g_free (sql);
  sql = store_query_text (f->store, "SELECT group_concat (cohort || '/' || month || ':' || customers, ' ')"
                                    " FROM (SELECT * FROM cohort_months ORDER BY cohort, month)");
  g_assert_cmpstr (sql, ==, "24288/24288:1 24288/24290:1 24290/24290:1 24290/24291:1");

  /* The triggers work on the upgraded database: b's first month goes, and
   * b moves to the April cohort. */
  g_free (sql);
  sql = g_strdup_printf ("UPDATE purchases SET deleted = 1 WHERE contact_id = '%s' AND amount = 80"
                         " AND purchased_at < '2024-04'", b);
  g_assert_true (crm_store_exec (f->store, sql, &error));
  g_assert_no_error (error);
  g_free (sql);
  sql = store_query_text (f->store, "SELECT group_concat (cohort || '/' || month || ':' || customers, ' ')"
                                    " FROM (SELECT * FROM cohort_months ORDER BY cohort, month)");
  g_assert_cmpstr (sql, ==, "24288/24288:1 24288/24290:1 24291/24291:1");
}

/* A version 12 database with deals gains deal_products on open, keeps its
 * deals, and a product line written after is synced (outbox) and checked
 * (no blank name, quantity above 0, no negative price, a real deal). */
static void
test_store_migration_13 (StoreFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmDeal) deal = crm_deal_new ();
  sqlite3 *db = crm_store_get_db (f->store);
  g_autofree char *sql = NULL;
  char *fail = NULL;

  g_object_set (deal, "title", "旧商机", "amount", (gint64) 12000, NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (deal), &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db, DOWNGRADE_MIGRATION_13 "PRAGMA user_version = 12", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM sqlite_master WHERE name = 'deal_products'"), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&f->store));

  f->store = crm_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (crm_store_get_schema_version (f->store), ==, 13);
  g_assert_cmpuint (crm_store_get_schema_version (f->store), ==, crm_store_get_latest_schema_version ());
  g_assert_cmpint (store_query_int (f->store, "SELECT amount FROM deals"), ==, 12000);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM sqlite_master"
                                              " WHERE type = 'trigger' AND name LIKE 'deal_products_sync_%'"), ==, 3);
  db = crm_store_get_db (f->store);

  sql = g_strdup_printf ("INSERT INTO deal_products (id, created_at, updated_at, deal_id, product, quantity, unit_price)"
                         " VALUES ('00000000-0000-7000-8000-000000000d01', 'x', 'x', '%s', '茶叶', 2, 6000)",
                         crm_record_get_id (CRM_RECORD (deal)));
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM outbox WHERE table_name = 'deal_products'"
                                              " AND op = 'insert'"), ==, 1);

  /* The table's own checks, for writers other than the app. */
  g_free (sql);
  sql = g_strdup_printf ("INSERT INTO deal_products (id, created_at, updated_at, deal_id, product, quantity, unit_price)"
                         " VALUES ('00000000-0000-7000-8000-000000000d02', 'x', 'x', '%s', '  ', 1, 1)",
                         crm_record_get_id (CRM_RECORD (deal)));
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, &fail) & 0xff, ==, SQLITE_CONSTRAINT);
  sqlite3_free (fail);
  g_free (sql);
  sql = g_strdup_printf ("INSERT INTO deal_products (id, created_at, updated_at, deal_id, product, quantity, unit_price)"
                         " VALUES ('00000000-0000-7000-8000-000000000d03', 'x', 'x', '%s', 'p', 0, 1)",
                         crm_record_get_id (CRM_RECORD (deal)));
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, &fail) & 0xff, ==, SQLITE_CONSTRAINT);
  sqlite3_free (fail);
  g_free (sql);
  sql = g_strdup_printf ("INSERT INTO deal_products (id, created_at, updated_at, deal_id, product, quantity, unit_price)"
                         " VALUES ('00000000-0000-7000-8000-000000000d04', 'x', 'x', '%s', 'p', 1, -1)",
                         crm_record_get_id (CRM_RECORD (deal)));
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, &fail) & 0xff, ==, SQLITE_CONSTRAINT);
  sqlite3_free (fail);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM deal_products"), ==, 1);
}

/* A version 8 database keeps its open conflicts and gets a place for who
 * made the other change (not known for the old ones). */
static void
test_store_migration_9 (StoreFixture  *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = crm_store_get_db (f->store);

  g_assert_cmpint (sqlite3_exec (db, DOWNGRADE_MIGRATION_13 DOWNGRADE_MIGRATION_12 DOWNGRADE_MIGRATION_11 DOWNGRADE_MIGRATION_10 DOWNGRADE_MIGRATION_9
                                 "INSERT INTO conflicts (table_name, row_id, field, local_value, remote_value, winner, created_at)"
                                 " VALUES ('contacts', 'x', 'title', '\"经理\"', '\"总监\"', 'remote', '2026-12-01T00:00:00Z');"
                                 "PRAGMA user_version = 8", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_finalize_object (g_steal_pointer (&f->store));

  f->store = crm_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (crm_store_get_schema_version (f->store), ==, crm_store_get_latest_schema_version ());
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM conflicts WHERE field = 'title'"
                                    " AND remote_value = '\"总监\"' AND remote_by IS NULL"), ==, 1);
}

/* A version 7 database gets the covering indexes of the analytics (in
 * place of the narrower purchase indexes), and a month's revenue by buyer
 * reads no purchase or contact row. */
static void
test_store_migration_8 (StoreFixture  *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = crm_store_get_db (f->store);

  g_assert_cmpint (sqlite3_exec (db, DOWNGRADE_MIGRATION_13 DOWNGRADE_MIGRATION_12 DOWNGRADE_MIGRATION_11 DOWNGRADE_MIGRATION_10 DOWNGRADE_MIGRATION_9 DOWNGRADE_MIGRATION_8 "PRAGMA user_version = 7", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_finalize_object (g_steal_pointer (&f->store));

  f->store = crm_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (crm_store_get_schema_version (f->store), ==, crm_store_get_latest_schema_version ());
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM sqlite_master WHERE name IN"
                                    " ('purchases_at', 'purchases_contact')"), ==, 0);
  g_assert_true (plan_covered_by (f->store,
                                  "SELECT sum (p.amount), count (DISTINCT p.contact_id)"
                                  " FROM purchases p CROSS JOIN contacts c ON c.id = p.contact_id"
                                  " WHERE p.deleted = 0 AND c.deleted = 0 AND c.province IS NULL"
                                  " AND p.purchased_at >= '2026-10' AND p.purchased_at < '2026-11'",
                                  "purchases_at_amount"));
  g_assert_true (plan_covered_by (f->store,
                                  "SELECT c.owner_id FROM purchases p CROSS JOIN contacts c ON c.id = p.contact_id"
                                  " WHERE p.purchased_at >= '2026-10' AND c.deleted = 0",
                                  "contacts_analytics"));
  g_assert_true (plan_covered_by (f->store,
                                  "SELECT min (purchased_at) FROM purchases"
                                  " WHERE contact_id = 'x' AND deleted = 0 AND purchased_at >= '2026'",
                                  "purchases_contact_facts"));
}

/* A version 6 database gets the index of open tasks, and the overdue
 * count reads through it rather than every activity. */
static void
test_store_migration_7 (StoreFixture  *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = crm_store_get_db (f->store);

  g_assert_cmpint (sqlite3_exec (db, DOWNGRADE_MIGRATION_13 DOWNGRADE_MIGRATION_12 DOWNGRADE_MIGRATION_11 DOWNGRADE_MIGRATION_10 DOWNGRADE_MIGRATION_9 DOWNGRADE_MIGRATION_8 DOWNGRADE_MIGRATION_7 "PRAGMA user_version = 6", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_finalize_object (g_steal_pointer (&f->store));

  f->store = crm_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (crm_store_get_schema_version (f->store), ==, crm_store_get_latest_schema_version ());
  g_assert_cmpint (store_query_int (f->store,
                                    "SELECT count (*) FROM sqlite_master WHERE name = 'activities_open_tasks'"), ==, 1);
  {
    sqlite3_stmt *plan = NULL;
    gboolean uses_index = FALSE;

    g_assert_cmpint (sqlite3_prepare_v2 (crm_store_get_db (f->store),
                                         "EXPLAIN QUERY PLAN SELECT count (*) FROM activities"
                                         " WHERE kind = 'task' AND done_at IS NULL AND deleted = 0 AND due_at < '2030'",
                                         -1, &plan, NULL), ==, SQLITE_OK);
    while (sqlite3_step (plan) == SQLITE_ROW)
      uses_index |= strstr ((const char *) sqlite3_column_text (plan, 3), "activities_open_tasks") != NULL;
    sqlite3_finalize (plan);
    g_assert_true (uses_index);
  }
}

/* A version 5 database gets the campaign and greeting columns, keeps its
 * campaigns, and syncs the new columns but not the delivery bookkeeping. */
static void
test_store_migration_6 (StoreFixture  *f,
                        gconstpointer  data)
{
  g_autoptr(CrmCampaign) campaign = crm_campaign_new ();
  g_autoptr(CrmCampaign) again = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = crm_store_get_db (f->store);

  g_object_set (campaign, "name", "春节问候", NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (campaign), &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db, DOWNGRADE_MIGRATION_13 DOWNGRADE_MIGRATION_12 DOWNGRADE_MIGRATION_11 DOWNGRADE_MIGRATION_10 DOWNGRADE_MIGRATION_9 DOWNGRADE_MIGRATION_8 DOWNGRADE_MIGRATION_7 DOWNGRADE_MIGRATION_6 "PRAGMA user_version = 5", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_finalize_object (g_steal_pointer (&f->store));

  f->store = crm_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (crm_store_get_schema_version (f->store), ==, crm_store_get_latest_schema_version ());
  again = crm_store_get (f->store, CRM_TYPE_CAMPAIGN, crm_record_get_id (CRM_RECORD (campaign)), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (again), "name"), ==, "春节问候");
  g_assert_cmpint (crm_record_get_int64 (CRM_RECORD (again), "attribution_days"), ==, 30);
  g_object_set (again, "excluded-no-consent", (gint64) 7, NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (again), &error));
  g_assert_no_error (error);
  g_assert_cmpint (store_query_int (f->store,
                                    "SELECT count (*) FROM outbox WHERE table_name = 'campaigns' AND op = 'update'"
                                    " AND json_extract (patch, '$.excluded_no_consent') = 7"), ==, 1);
  g_assert_cmpint (store_query_int (f->store,
                                    "SELECT count (*) FROM sqlite_schema WHERE name = 'campaign_members_sync_update'"
                                    " AND sql LIKE '%variant%' AND sql NOT LIKE '%sending_at%'"), ==, 1);
}

/* A version 4 database gets the complaint category and survey link, and
 * keeps its complaints; the new columns sync. */
static void
test_store_migration_5 (StoreFixture  *f,
                        gconstpointer  data)
{
  g_autoptr(CrmActivity) complaint = crm_activity_new ();
  g_autoptr(CrmActivity) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contact = store_add_contact (f->store, "Old customer");
  sqlite3 *db = crm_store_get_db (f->store);

  g_object_set (complaint, "kind", "complaint", "contact-id", contact, "subject", "Broken", NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (complaint), &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db, DOWNGRADE_MIGRATION_13 DOWNGRADE_MIGRATION_12 DOWNGRADE_MIGRATION_11 DOWNGRADE_MIGRATION_10 DOWNGRADE_MIGRATION_9 DOWNGRADE_MIGRATION_8 DOWNGRADE_MIGRATION_7 DOWNGRADE_MIGRATION_5 DOWNGRADE_MIGRATION_6 "PRAGMA user_version = 4", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_finalize_object (g_steal_pointer (&f->store));

  f->store = crm_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (crm_store_get_schema_version (f->store), ==, crm_store_get_latest_schema_version ());
  again = crm_store_get (f->store, CRM_TYPE_ACTIVITY, crm_record_get_id (CRM_RECORD (complaint)), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (again), "status"), ==, "open");
  g_object_set (again, "category", "quality", NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (again), &error));
  g_assert_no_error (error);
  g_assert_cmpint (store_query_int (f->store,
                                    "SELECT count (*) FROM outbox WHERE table_name = 'activities' AND op = 'update'"
                                    " AND json_extract (patch, '$.category') = 'quality'"), ==, 1);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM survey_invitations"), ==, 0);
}

static void
test_store_migration_4 (StoreFixture  *f,
                        gconstpointer  data)
{
  g_autoptr(CrmDeal) deal = crm_deal_new ();
  g_autoptr(CrmDeal) again = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = crm_store_get_db (f->store);

  g_object_set (deal, "title", "Old deal", "amount", (gint64) 5000, NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (deal), &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db,
                                 "DROP TRIGGER deals_sync_insert; DROP TRIGGER deals_sync_update; DROP TRIGGER deals_sync_delete;"
                                 "DROP TRIGGER pipelines_sync_insert; DROP TRIGGER pipelines_sync_update; DROP TRIGGER pipelines_sync_delete;"
                                 "DROP INDEX deals_pipeline;"
                                 "ALTER TABLE deals DROP COLUMN position; ALTER TABLE deals DROP COLUMN notes;"
                                 "ALTER TABLE pipelines DROP COLUMN monthly_target;"
                                 DOWNGRADE_MIGRATION_13 DOWNGRADE_MIGRATION_12 DOWNGRADE_MIGRATION_11 DOWNGRADE_MIGRATION_10 DOWNGRADE_MIGRATION_9
                                 DOWNGRADE_MIGRATION_8 DOWNGRADE_MIGRATION_7
                                 DOWNGRADE_MIGRATION_5
                                 DOWNGRADE_MIGRATION_6
                                 "PRAGMA user_version = 3",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_finalize_object (g_steal_pointer (&f->store));

  f->store = crm_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (crm_store_get_schema_version (f->store), ==, crm_store_get_latest_schema_version ());
  again = crm_store_get (f->store, CRM_TYPE_DEAL, crm_record_get_id (CRM_RECORD (deal)), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (again), "title"), ==, "Old deal");
  g_assert_cmpint (crm_record_get_int64 (CRM_RECORD (again), "position"), ==, 0);

  g_object_set (again, "notes", "回访", "position", (gint64) 2048, NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (again), &error));
  g_assert_no_error (error);
  g_assert_cmpint (store_query_int (f->store,
                                    "SELECT count (*) FROM outbox WHERE table_name = 'deals' AND op = 'update'"
                                    " AND json_extract (patch, '$.notes') = '回访'"
                                    " AND json_extract (patch, '$.position') = 2048"), ==, 1);
}

static void
test_store_company_name (StoreFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *long_name = NULL;
  char *name;

  g_assert_null (crm_store_dup_company_name (f->store));
  g_assert_true (crm_store_set_company_name (f->store, "  广州三元贸易有限公司 ", &error));
  g_assert_no_error (error);
  name = crm_store_dup_company_name (f->store);
  g_assert_cmpstr (name, ==, "广州三元贸易有限公司");
  g_free (name);

  /* Too long: refused, the stored name stays. */
  long_name = g_strnfill (201, 'x');
  g_assert_false (crm_store_set_company_name (f->store, long_name, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  name = crm_store_dup_company_name (f->store);
  g_assert_cmpstr (name, ==, "广州三元贸易有限公司");
  g_free (name);

  g_assert_true (crm_store_set_company_name (f->store, "", NULL));
  g_assert_null (crm_store_dup_company_name (f->store));
}

static char *
index_statements (CrmStore   *store,
                  const char *table)
{
  g_autoptr(CrmCachedStmt) stmt =
    crm_store_prepare (store, "SELECT group_concat (sql, ';') FROM (SELECT sql FROM sqlite_master"
                              " WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name)", NULL);

  g_assert_nonnull (stmt);
  crm_stmt_bind_text (stmt, 1, table);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* A bulk run may leave a table's secondary indexes to its end; they come
 * back as they were, and a run cut short has them built by the next open.
 * A UNIQUE index stays: it is a rule, not a shortcut. */
static void
test_store_bulk_deferred_indexes (StoreFixture  *f,
                                  gconstpointer  data)
{
  g_autofree char *before = index_statements (f->store, "contacts");
  g_autoptr(GError) error = NULL;
  CrmStoreBulk *bulk;

  g_assert_nonnull (strstr (before, "contacts_list"));

  bulk = crm_store_bulk_begin (f->store, 0, CRM_STORE_BULK_NONE);
  g_assert_true (crm_store_bulk_defer_indexes (bulk, "contacts", &error));
  g_assert_no_error (error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM sqlite_master"
                                              " WHERE tbl_name = 'contacts' AND type = 'index' AND sql IS NOT NULL"), ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM sqlite_master"
                                              " WHERE name = 'sqlite_autoindex_contacts_1'"), ==, 1);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *name = g_strdup_printf ("批量%02u", i);

      g_free (store_add_contact (f->store, name));
    }
  crm_store_bulk_end (bulk);
  {
    g_autofree char *after = index_statements (f->store, "contacts");

    g_assert_cmpstr (after, ==, before);
  }
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM meta WHERE key LIKE 'deferred_index:%'"), ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts INDEXED BY contacts_list"
                                              " WHERE deleted = 0"), ==, 50);

  /* Killed before the end: the next program to open the file builds
   * them (here, a second connection); the first's end then has none. */
  bulk = crm_store_bulk_begin (f->store, 0, CRM_STORE_BULK_NONE);
  g_assert_true (crm_store_bulk_defer_indexes (bulk, "contacts", &error));
  {
    g_autoptr(CrmStore) next = crm_store_open (crm_store_get_path (f->store), &error);
    g_autofree char *rebuilt = NULL;

    g_assert_no_error (error);
    rebuilt = index_statements (next, "contacts");
    g_assert_cmpstr (rebuilt, ==, before);
  }
  crm_store_bulk_end (bulk);
  {
    g_autofree char *after = index_statements (f->store, "contacts");

    g_assert_cmpstr (after, ==, before);
  }
  {
    g_autofree char *report = NULL;

    g_assert_true (crm_store_check (f->store, &report, &error));
    g_assert_no_error (error);
  }
}

/* A bulk run keeps its commits in the write-ahead log, then writes the
 * log back once and empties it; what it changed is put back. */
static void
test_store_bulk (StoreFixture  *f,
                 gconstpointer  data)
{
  static const char fill[] =
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500) "
    "INSERT INTO bulk_test SELECT randomblob (4000) FROM n";
  g_autofree char *wal = g_strconcat (crm_store_get_path (f->store), "-wal", NULL);
  gint64 cache = store_query_int (f->store, "PRAGMA cache_size");
  gint64 mmap = store_query_int (f->store, "PRAGMA mmap_size");
  gint64 checkpoint = store_query_int (f->store, "PRAGMA wal_autocheckpoint");
  gint64 page_size = store_query_int (f->store, "PRAGMA page_size");
  g_autoptr(GError) error = NULL;
  CrmStoreBulk *bulk;
  GStatBuf st;

  g_assert_true (crm_store_exec (f->store, "CREATE TABLE bulk_test (x BLOB)", &error));
  g_assert_no_error (error);

  bulk = crm_store_bulk_begin (f->store, 200000, CRM_STORE_BULK_UNMAP);
  g_assert_cmpint (store_query_int (f->store, "PRAGMA cache_size"), ==, -200000);
  g_assert_cmpint (store_query_int (f->store, "PRAGMA mmap_size"), ==, 0);
  g_assert_cmpint (store_query_int (f->store, "PRAGMA wal_autocheckpoint"), >, checkpoint);

  /* Five commits of some 6 MB each: without the bulk settings each one
   * would be written back at the next commit, and the log reused. */
  for (guint i = 0; i < 5; i++)
    {
      g_assert_true (crm_store_begin (f->store, &error));
      g_assert_true (crm_store_exec (f->store, fill, &error));
      g_assert_true (crm_store_commit (f->store, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 4 * checkpoint * page_size);

  crm_store_bulk_end (bulk);
  g_assert_cmpint (store_query_int (f->store, "PRAGMA cache_size"), ==, cache);
  g_assert_cmpint (store_query_int (f->store, "PRAGMA mmap_size"), ==, mmap);
  g_assert_cmpint (store_query_int (f->store, "PRAGMA wal_autocheckpoint"), ==, checkpoint);
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM bulk_test"), ==, 7500);

  /* A reader that still needs the log: it is left for later, without
   * waiting out the busy timeout (30 s here) for the reader to finish. */
  {
    sqlite3 *reader = NULL;
    gint64 start;

    g_assert_true (crm_store_exec (f->store, "PRAGMA busy_timeout = 30000", &error));

    g_assert_cmpint (sqlite3_open (crm_store_get_path (f->store), &reader), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (reader, "BEGIN; SELECT count(*) FROM bulk_test", NULL, NULL, NULL), ==, SQLITE_OK);
    bulk = crm_store_bulk_begin (f->store, 0, CRM_STORE_BULK_NONE);
    for (guint i = 0; i < 2; i++)
      {
        g_assert_true (crm_store_begin (f->store, &error));
        g_assert_true (crm_store_exec (f->store, fill, &error));
        g_assert_true (crm_store_commit (f->store, &error));
        g_assert_no_error (error);
      }
    start = g_get_monotonic_time ();
    crm_store_bulk_end (bulk);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
    g_assert_cmpint (store_query_int (f->store, "PRAGMA busy_timeout"), ==, 30000);
    g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM bulk_test"), ==, 10500);
    sqlite3_close (reader);
  }

  /* A cache already larger is left alone. */
  bulk = crm_store_bulk_begin (f->store, 16, CRM_STORE_BULK_NONE);
  g_assert_cmpint (store_query_int (f->store, "PRAGMA cache_size"), ==, cache);
  g_assert_cmpint (store_query_int (f->store, "PRAGMA mmap_size"), ==, mmap);
  crm_store_bulk_end (bulk);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_home = g_dir_make_tmp ("crm-xdg-XXXXXX", NULL);
  int ret;

  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/default-path", test_store_default_path);
  STORE_TEST ("/store/schema", test_store_schema);
  STORE_TEST ("/store/classes-match-tables", test_store_classes_match_tables);
  g_test_add_func ("/store/not-a-database", test_store_not_a_database);
  g_test_add_func ("/store/corrupt", test_store_corrupt);
  g_test_add_func ("/store/too-new", test_store_too_new);
  STORE_TEST ("/store/crud", test_store_crud);
  STORE_TEST ("/store/invalid-rejected", test_store_invalid_rejected);
  STORE_TEST ("/store/transactions", test_store_transactions);
  STORE_TEST ("/store/read-only", test_store_read_only);
  STORE_TEST ("/store/disk-full", test_store_disk_full);
  STORE_TEST ("/store/kill-during-bulk-write", test_store_kill_during_bulk_write);
  STORE_TEST ("/store/hlc-persists", test_store_hlc_persists);
  STORE_TEST ("/store/migration-4", test_store_migration_4);
  STORE_TEST ("/store/migration-5", test_store_migration_5);
  STORE_TEST ("/store/migration-6", test_store_migration_6);
  STORE_TEST ("/store/migration-7", test_store_migration_7);
  STORE_TEST ("/store/migration-8", test_store_migration_8);
  STORE_TEST ("/store/migration-9", test_store_migration_9);
  STORE_TEST ("/store/migration-10", test_store_migration_10);
  STORE_TEST ("/store/migration-11", test_store_migration_11);
  STORE_TEST ("/store/migration-12", test_store_migration_12);
  STORE_TEST ("/store/migration-13", test_store_migration_13);
  STORE_TEST ("/store/company-name", test_store_company_name);
  STORE_TEST ("/store/bulk", test_store_bulk);
  STORE_TEST ("/store/bulk-deferred-indexes", test_store_bulk_deferred_indexes);

  ret = g_test_run ();
  remove_tree (data_home);
  return ret;
}

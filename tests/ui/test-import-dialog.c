/* test-import-dialog.c: the import assistant driven through its actions: preview, mapping, check, import, cancel, undo */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>

#include "crm-contact.h"
#include "crm-context.h"
#include "crm-import-dialog.h"
#include "crm-store-private.h"
#include "crm-test-ui.h"

typedef struct
{
  char            *dir;
  CrmStore        *store;
  CrmContext      *context;
  GtkWindow       *parent;
  CrmImportDialog *dialog;
  guint            changed;
} Fixture;

static void
on_store_changed (CrmStore   *store,
                  const char *table,
                  const char *id,
                  Fixture    *f)
{
  f->changed++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("crm-import-ui-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "crm.db", NULL);
  f->store = crm_store_open (path, &error);
  g_assert_no_error (error);
  g_signal_connect (f->store, "changed", G_CALLBACK (on_store_changed), f);
  f->context = crm_context_new (f->store, settings);

  f->parent = GTK_WINDOW (gtk_window_new ());
  f->dialog = crm_import_dialog_new (f->parent, f->context);
  g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
  gtk_window_present (GTK_WINDOW (f->dialog));
  crm_test_ui_iterate ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (f->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (f->dialog));
  gtk_window_destroy (f->parent);
  crm_test_ui_iterate ();
  g_assert_null (f->dialog);

  g_clear_object (&f->context);
  g_assert_finalize_object (f->store);

  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static gint64
query_int (Fixture    *f,
           const char *sql)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (f->store, sql, NULL);

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static gint64
count_people (Fixture *f)
{
  return query_int (f, "SELECT count(*) FROM contacts WHERE kind = 'person' AND deleted = 0");
}

static void
activate (Fixture    *f,
          const char *action,
          GVariant   *parameter)
{
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->dialog), action, parameter));
  crm_test_ui_iterate ();
}

static gboolean
is_idle (gpointer data)
{
  Fixture *f = data;

  return !crm_import_dialog_is_busy (f->dialog);
}

static gboolean
is_undone (gpointer data)
{
  Fixture *f = data;

  return crm_import_dialog_get_run_id (f->dialog) == NULL;
}

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
}

static void
test_import_dialog_gb18030 (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *path = fixture_path ("customers-gb18030.csv");
  g_autoptr(CrmContact) zhang = NULL;
  g_autoptr(GError) error = NULL;
  const CrmImportSummary *summary;
  g_autofree char *zhang_id = NULL;

  g_assert_cmpstr (crm_import_dialog_get_page (f->dialog), ==, "choose");
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (f->dialog), "import.start", NULL) &&
                  crm_import_dialog_is_busy (f->dialog));

  /* The preview maps the Chinese headers of an Excel file by itself. */
  activate (f, "import.open", g_variant_new_string (path));
  g_assert_cmpstr (crm_import_dialog_get_page (f->dialog), ==, "preview");
  g_assert_cmpstr (crm_import_dialog_get_field (f->dialog, 0), ==, "external_id");
  g_assert_cmpstr (crm_import_dialog_get_field (f->dialog, 1), ==, "name");
  g_assert_cmpstr (crm_import_dialog_get_field (f->dialog, 3), ==, "phone");
  g_assert_cmpstr (crm_import_dialog_get_field (f->dialog, 12), ==, "source");

  /* A second name column is refused; the column keeps its field. */
  activate (f, "import.set-field", g_variant_new ("(us)", 0, "name"));
  g_assert_cmpstr (crm_import_dialog_get_field (f->dialog, 0), ==, "external_id");
  /* 来源 is left out. */
  activate (f, "import.set-field", g_variant_new ("(us)", 12, ""));
  g_assert_null (crm_import_dialog_get_field (f->dialog, 12));

  /* A check counts exactly and writes nothing. */
  activate (f, "import.dry-run", NULL);
  crm_test_ui_wait_until (is_idle, f);
  g_assert_cmpstr (crm_import_dialog_get_page (f->dialog), ==, "preview");
  summary = crm_import_dialog_get_summary (f->dialog);
  g_assert_cmpuint (summary->created, ==, 5);
  g_assert_cmpuint (summary->errors, ==, 3);
  g_assert_cmpint (count_people (f), ==, 0);
  g_assert_null (crm_import_dialog_get_run_id (f->dialog));

  f->changed = 0;
  activate (f, "import.start", NULL);
  crm_test_ui_wait_until (is_idle, f);
  g_assert_cmpstr (crm_import_dialog_get_page (f->dialog), ==, "done");
  summary = crm_import_dialog_get_summary (f->dialog);
  g_assert_cmpuint (summary->created, ==, 5);
  g_assert_cmpuint (summary->updated, ==, 0);
  g_assert_cmpuint (summary->errors, ==, 3);
  g_assert_nonnull (crm_import_dialog_get_run_id (f->dialog));
  /* The window's connection hears of the thread's writes. */
  g_assert_cmpuint (f->changed, >, 0);
  g_assert_cmpint (count_people (f), ==, 5);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM outbox WHERE table_name = 'contacts'"), ==, 7);

  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (f->store, "SELECT id FROM contacts WHERE name = ?", NULL);

    sqlite3_bind_text (stmt, 1, "张三", -1, SQLITE_STATIC);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    zhang_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  }
  zhang = crm_store_get (f->store, CRM_TYPE_CONTACT, zhang_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (zhang), "external_id"), ==, "C001");
  g_assert_null (crm_record_get_string (CRM_RECORD (zhang), "source"));

  /* Undo takes the whole run back. */
  activate (f, "import.undo", NULL);
  crm_test_ui_wait_until (is_undone, f);
  g_assert_cmpint (count_people (f), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM import_runs WHERE status = 'undone'"), ==, 1);
}

static void
test_import_dialog_cancel (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "many.csv", NULL);
  const CrmImportSummary *summary;
  FILE *out = fopen (path, "w");
  guint64 created;

  g_assert_nonnull (out);
  fputs ("Name,Phone,Email\n", out);
  for (guint i = 0; i < 20000; i++)
    fprintf (out, "Person %u,1%010u,p%u@example.com\n", i, 3000000000u + i, i);
  fclose (out);

  activate (f, "import.open", g_variant_new_string (path));
  g_assert_cmpstr (crm_import_dialog_get_field (f->dialog, 0), ==, "name");

  /* Cancel as soon as it started: the chunk being written is rolled
   * back, the ones before stay, and the summary says what is there. */
  activate (f, "import.start", NULL);
  activate (f, "import.cancel", NULL);
  crm_test_ui_wait_until (is_idle, f);
  g_assert_cmpstr (crm_import_dialog_get_page (f->dialog), ==, "done");
  summary = crm_import_dialog_get_summary (f->dialog);
  created = summary->created;
  g_assert_cmpuint (created, <, 20000);
  g_assert_cmpuint (created % 2000, ==, 0);
  g_assert_cmpint (count_people (f), ==, (gint64) created);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM import_runs WHERE status = 'cancelled'"), ==, 1);
}

static void
test_import_dialog_vcard (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *path = fixture_path ("ios-3.0.vcf");

  activate (f, "import.open", g_variant_new_string (path));
  g_assert_cmpstr (crm_import_dialog_get_page (f->dialog), ==, "preview");
  /* A vCard has no columns to map. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (f->dialog), "import.set-field", "(us)", 0, "name") &&
                  crm_import_dialog_get_field (f->dialog, 0) != NULL);
  activate (f, "import.start", NULL);
  crm_test_ui_wait_until (is_idle, f);
  g_assert_cmpstr (crm_import_dialog_get_page (f->dialog), ==, "done");
  g_assert_cmpuint (crm_import_dialog_get_summary (f->dialog)->created, >, 0);
  g_assert_cmpint (count_people (f), ==, (gint64) crm_import_dialog_get_summary (f->dialog)->created);
}

int
main (int   argc,
      char *argv[])
{
  crm_test_ui_init (&argc, &argv);

  g_test_add ("/import-dialog/gb18030", Fixture, NULL, fixture_set_up, test_import_dialog_gb18030, fixture_tear_down);
  g_test_add ("/import-dialog/cancel", Fixture, NULL, fixture_set_up, test_import_dialog_cancel, fixture_tear_down);
  g_test_add ("/import-dialog/vcard", Fixture, NULL, fixture_set_up, test_import_dialog_vcard, fixture_tear_down);

  return g_test_run ();
}

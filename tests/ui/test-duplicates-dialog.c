/* test-duplicates-dialog.c: the duplicates view driven through its actions: find, compare, keep either, merge, undo */

#include "config.h"

#include <glib/gstdio.h>

#include "crm-contact.h"
#include "crm-context.h"
#include "crm-duplicates-dialog.h"
#include "crm-store-private.h"
#include "crm-test-ui.h"

typedef struct
{
  char                *dir;
  CrmStore            *store;
  CrmContext          *context;
  GtkWindow           *parent;
  CrmDuplicatesDialog *dialog;
} Fixture;

static char *
add_contact (Fixture    *f,
             const char *name,
             const char *phone,
             const char *city)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_contact_set_field_from_string (contact, "name", name, &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "phone", phone, &error));
  if (city != NULL)
    g_assert_true (crm_contact_set_field_from_string (contact, "city", city, &error));
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("crm-duplicates-ui-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "crm.db", NULL);
  f->store = crm_store_open (path, &error);
  g_assert_no_error (error);
  f->context = crm_context_new (f->store, settings);
  f->parent = GTK_WINDOW (gtk_window_new ());
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

static gboolean
is_loaded (gpointer data)
{
  Fixture *f = data;

  return g_strcmp0 (crm_duplicates_dialog_get_page (f->dialog), "loading") != 0;
}

static gint64
count_live (Fixture *f)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (f->store, "SELECT count(*) FROM contacts WHERE deleted = 0", NULL);

  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static void
open_dialog (Fixture *f)
{
  f->dialog = crm_duplicates_dialog_new (f->parent, f->context);
  g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
  gtk_window_present (GTK_WINDOW (f->dialog));
  crm_test_ui_wait_until (is_loaded, f);
}

static void
test_duplicates_merge_undo (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *first = add_contact (f, "张三", "138 0013 8000", NULL);
  g_autofree char *second = add_contact (f, "张三丰", "+86 138-0013-8000", "深圳市");
  g_autofree char *other = add_contact (f, "李四", "13900139000", NULL);
  g_autoptr(CrmContact) kept = NULL;
  g_autoptr(GError) error = NULL;

  open_dialog (f);
  g_assert_cmpstr (crm_duplicates_dialog_get_page (f->dialog), ==, "pairs");
  g_assert_cmpuint (crm_duplicates_dialog_get_n_pairs (f->dialog), ==, 1);
  g_assert_cmpstr (crm_duplicates_dialog_get_kept_id (f->dialog), ==, first);

  /* The newer one stays this time. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dialog), "duplicates.keep", "s", "second"));
  g_assert_cmpstr (crm_duplicates_dialog_get_kept_id (f->dialog), ==, second);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dialog), "duplicates.merge", NULL));
  crm_test_ui_wait_until (is_loaded, f);
  g_assert_cmpint (count_live (f), ==, 2);
  g_assert_cmpstr (crm_duplicates_dialog_get_page (f->dialog), ==, "empty");
  kept = crm_store_get (f->store, CRM_TYPE_CONTACT, second, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_contact_get_name (kept), ==, "张三丰");
  g_assert_false (crm_record_get_deleted (CRM_RECORD (kept)));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dialog), "duplicates.undo", NULL));
  crm_test_ui_wait_until (is_loaded, f);
  g_assert_cmpint (count_live (f), ==, 3);
  g_assert_cmpuint (crm_duplicates_dialog_get_n_pairs (f->dialog), ==, 1);
}

/* Field by field: keep the first contact but take the second's name and
 * city; its phone joins the first's. Undo brings both back as they were. */
static void
test_duplicates_choose_fields (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *first = add_contact (f, "张三", "138 0013 8000", "广州市");
  g_autofree char *second = add_contact (f, "张三丰", "+86 138-0013-8000", "深圳市");
  g_autoptr(CrmContact) kept = NULL;
  g_autoptr(CrmContact) restored = NULL;
  g_autoptr(GError) error = NULL;

  open_dialog (f);
  g_assert_cmpuint (crm_duplicates_dialog_get_n_pairs (f->dialog), ==, 1);
  g_assert_cmpstr (crm_duplicates_dialog_get_kept_id (f->dialog), ==, first);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dialog), "duplicates.choose", "(ss)", "name", "second"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dialog), "duplicates.choose", "(ss)", "city", "second"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dialog), "duplicates.choose", "(ss)", "city", "first"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dialog), "duplicates.merge", NULL));
  crm_test_ui_wait_until (is_loaded, f);
  g_assert_cmpint (count_live (f), ==, 1);
  kept = crm_store_get (f->store, CRM_TYPE_CONTACT, first, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_contact_get_name (kept), ==, "张三丰");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (kept), "city"), ==, "广州市");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dialog), "duplicates.undo", NULL));
  crm_test_ui_wait_until (is_loaded, f);
  g_assert_cmpint (count_live (f), ==, 2);
  restored = crm_store_get (f->store, CRM_TYPE_CONTACT, first, &error);
  g_assert_cmpstr (crm_contact_get_name (restored), ==, "张三");

  /* Keeping the second contact starts from all of its values. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dialog), "duplicates.choose", "(ss)", "name", "first"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dialog), "duplicates.keep", "s", "second"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->dialog), "duplicates.merge", NULL));
  crm_test_ui_wait_until (is_loaded, f);
  g_clear_object (&kept);
  kept = crm_store_get (f->store, CRM_TYPE_CONTACT, second, &error);
  g_assert_cmpstr (crm_contact_get_name (kept), ==, "张三丰");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (kept), "city"), ==, "深圳市");
}

static void
test_duplicates_none (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *a = add_contact (f, "王五", "13700137000", NULL);
  g_autofree char *b = add_contact (f, "赵六", "13600136000", NULL);

  open_dialog (f);
  g_assert_cmpstr (crm_duplicates_dialog_get_page (f->dialog), ==, "empty");
  g_assert_cmpuint (crm_duplicates_dialog_get_n_pairs (f->dialog), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  crm_test_ui_init (&argc, &argv);

  g_test_add ("/duplicates-dialog/merge-undo", Fixture, NULL, fixture_set_up, test_duplicates_merge_undo, fixture_tear_down);
  g_test_add ("/duplicates-dialog/none", Fixture, NULL, fixture_set_up, test_duplicates_none, fixture_tear_down);
  g_test_add ("/duplicates-dialog/choose-fields", Fixture, NULL, fixture_set_up, test_duplicates_choose_fields, fixture_tear_down);

  return g_test_run ();
}

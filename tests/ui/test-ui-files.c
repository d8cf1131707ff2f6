/* test-ui-files.c: every GtkBuilder file in data/ui loads, and every template builds its widget */

#include "config.h"

#include <string.h>

#include "crm-admin-page.h"
#include "crm-application.h"
#include "crm-audit-window.h"
#include "crm-conflicts-window.h"
#include "crm-contact-filter-popover.h"
#include "crm-contact-pane.h"
#include "crm-contact-purchases.h"
#include "crm-chart-view.h"
#include "crm-campaign-editor.h"
#include "crm-campaigns-page.h"
#include "crm-smtp-group.h"
#include "crm-contacts-page.h"
#include "crm-dashboard-page.h"
#include "crm-deal-editor.h"
#include "crm-pipeline-page.h"
#include "crm-reports-page.h"
#include "crm-service-page.h"
#include "crm-surveys-page.h"
#include "crm-backup-group.h"
#include "crm-duplicates-dialog.h"
#include "crm-import-dialog.h"
#include "crm-preferences-window.h"
#include "crm-reminders-view.h"
#include "crm-test-ui.h"
#include "crm-timeline.h"
#include "crm-window.h"

/* Template classes must be registered before GtkBuilder meets them. A new
 * template class goes here too; the test names the one it cannot find. */
static void
ensure_types (void)
{
  g_type_ensure (CRM_TYPE_WINDOW);
  g_type_ensure (CRM_TYPE_PREFERENCES_WINDOW);
  g_type_ensure (CRM_TYPE_CONFLICTS_WINDOW);
  g_type_ensure (CRM_TYPE_CONTACTS_PAGE);
  g_type_ensure (CRM_TYPE_CAMPAIGNS_PAGE);
  g_type_ensure (CRM_TYPE_CAMPAIGN_EDITOR);
  g_type_ensure (CRM_TYPE_SMTP_GROUP);
  g_type_ensure (CRM_TYPE_CONTACT_PANE);
  g_type_ensure (CRM_TYPE_CONTACT_FILTER_POPOVER);
  g_type_ensure (CRM_TYPE_CONTACT_PURCHASES);
  g_type_ensure (CRM_TYPE_TIMELINE);
  g_type_ensure (CRM_TYPE_REMINDERS_VIEW);
  g_type_ensure (CRM_TYPE_DASHBOARD_PAGE);
  g_type_ensure (CRM_TYPE_CHART_VIEW);
  g_type_ensure (CRM_TYPE_PIPELINE_PAGE);
  g_type_ensure (CRM_TYPE_DEAL_EDITOR);
  g_type_ensure (CRM_TYPE_SURVEYS_PAGE);
  g_type_ensure (CRM_TYPE_SERVICE_PAGE);
  g_type_ensure (CRM_TYPE_REPORTS_PAGE);
  g_type_ensure (CRM_TYPE_IMPORT_DIALOG);
  g_type_ensure (CRM_TYPE_DUPLICATES_DIALOG);
  g_type_ensure (CRM_TYPE_BACKUP_GROUP);
  g_type_ensure (CRM_TYPE_ADMIN_PAGE);
  g_type_ensure (CRM_TYPE_AUDIT_WINDOW);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char **)a, *(const char **)b);
}

static char *
find_template_class (const char *xml)
{
  const char *start = strstr (xml, "<template class=\"");
  const char *end;

  if (start == NULL)
    return NULL;
  start += strlen ("<template class=\"");
  end = strchr (start, '"');
  return end ? g_strndup (start, end - start) : NULL;
}

static void
test_ui_file (gconstpointer data)
{
  const char *path = data;
  g_autofree char *xml = NULL;
  g_autofree char *template_class = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &xml, NULL, &error));
  g_assert_no_error (error);

  template_class = find_template_class (xml);
  if (template_class != NULL)
    {
      GType type = g_type_from_name (template_class);
      GObject *object;

      if (type == G_TYPE_INVALID)
        g_error ("%s: template class %s is not registered; add it to ensure_types()", path, template_class);

      /* Building the widget loads its template from the resource and fails
       * loudly (fatal warnings) on any unknown property, signal or child. */
      if (type == CRM_TYPE_PREFERENCES_WINDOW)
        {
          g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
          object = g_object_new (type, "settings", settings, NULL);
        }
      else if (type == CRM_TYPE_WINDOW)
        {
          g_autoptr(CrmApplication) app = crm_application_new ();

          g_application_register (G_APPLICATION (app), NULL, NULL);
          object = g_object_new (type, "application", app, NULL);
        }
      else
        object = g_object_new (type, NULL);

      g_assert_nonnull (object);
      if (GTK_IS_WINDOW (object))
        gtk_window_destroy (GTK_WINDOW (object));
      else
        g_object_unref (g_object_ref_sink (object));
    }
  else
    {
      g_autoptr(GtkBuilder) builder = gtk_builder_new ();

      gtk_builder_add_from_string (builder, xml, -1, &error);
      g_assert_no_error (error);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir_path = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  crm_test_ui_init (&argc, &argv);
  ensure_types ();

  dir_path = g_build_filename (g_getenv ("CRM_SOURCE_DIR"), "data", "ui", NULL);
  dir = g_dir_open (dir_path, 0, NULL);
  g_assert_nonnull (dir);

  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".ui"))
      g_ptr_array_add (paths, g_build_filename (dir_path, name, NULL));
  g_ptr_array_sort (paths, compare_paths);

  g_assert_cmpuint (paths->len, >, 0);
  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *basename = g_path_get_basename (g_ptr_array_index (paths, i));
      g_autofree char *test_path = g_strdup_printf ("/ui-files/%s", basename);

      g_test_add_data_func (test_path, g_ptr_array_index (paths, i), test_ui_file);
    }

  return g_test_run ();
}

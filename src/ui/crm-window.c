/* crm-window.c: the main window: a sidebar of workspaces beside the visible one */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-application.h"
#include "crm-contacts-page.h"
#include "crm-campaigns-page.h"
#include "crm-conflicts-window.h"
#include "crm-context.h"
#include "crm-dashboard-page.h"
#include "crm-pipeline-page.h"
#include "crm-reports-page.h"
#include "crm-service-page.h"
#include "crm-surveys-page.h"
#include "crm-duplicates-dialog.h"
#include "crm-import-dialog.h"
#include "crm-window.h"

struct _CrmWindow
{
  AdwApplicationWindow  parent_instance;

  CrmContext           *context;
  GSettings            *settings;

  /* Template widgets */
  AdwLeaflet           *leaflet;
  GtkListBox           *workspace_list;
  GtkWidget            *sync_status_button;
  GtkImage             *sync_status_icon;
  GtkLabel             *sync_status_title;
  GtkLabel             *sync_status_detail;
  guint                 sync_status_timer;
  GtkWidget            *content;
  AdwWindowTitle       *content_title;
  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *stack;
  CrmContactsPage      *contacts_page;
  CrmDashboardPage     *dashboard_page;
  CrmPipelinePage      *pipeline_page;
  CrmSurveysPage       *surveys_page;
  CrmServicePage       *service_page;
  CrmReportsPage       *reports_page;
  CrmCampaignsPage     *campaigns_page;

  GHashTable           *pages_with_context;  /* set of the page widgets given the context */
};

G_DEFINE_FINAL_TYPE (CrmWindow, crm_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
badge_to_label (GBinding     *binding,
                const GValue *from,
                GValue       *to,
                gpointer      user_data)
{
  g_value_take_string (to, g_strdup_printf ("%u", g_value_get_uint (from)));
  return TRUE;
}

static gboolean
badge_to_visible (GBinding     *binding,
                  const GValue *from,
                  GValue       *to,
                  gpointer      user_data)
{
  g_value_set_boolean (to, g_value_get_uint (from) > 0);
  return TRUE;
}

static GtkWidget *
create_workspace_row (gpointer item,
                      gpointer user_data)
{
  AdwViewStackPage *page = item;
  GtkWidget *row;
  GtkWidget *box;
  GtkWidget *icon;
  GtkWidget *label;
  GtkWidget *badge;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  icon = gtk_image_new_from_icon_name (adw_view_stack_page_get_icon_name (page));
  label = gtk_label_new (adw_view_stack_page_get_title (page));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);

  /* A workspace's count of things waiting (overdue tasks for contacts). */
  badge = gtk_label_new (NULL);
  gtk_widget_add_css_class (badge, "workspace-badge");
  gtk_widget_add_css_class (badge, "numeric");
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  g_object_bind_property_full (page, "badge-number", badge, "label", G_BINDING_SYNC_CREATE,
                               badge_to_label, NULL, NULL, NULL);
  g_object_bind_property_full (page, "badge-number", badge, "visible", G_BINDING_SYNC_CREATE,
                               badge_to_visible, NULL, NULL, NULL);
  gtk_box_append (GTK_BOX (box), badge);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_name (row, adw_view_stack_page_get_name (page));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  adw_view_stack_page_get_title (page),
                                  -1);

  return row;
}

static GtkListBoxRow *
find_workspace_row (CrmWindow  *self,
                    const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->workspace_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_BOX_ROW (child) && g_strcmp0 (gtk_widget_get_name (child), name) == 0)
        return GTK_LIST_BOX_ROW (child);
    }

  return NULL;
}

static void
on_workspace_row_activated (GtkListBox    *list,
                            GtkListBoxRow *row,
                            CrmWindow     *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.workspace", "s",
                              gtk_widget_get_name (GTK_WIDGET (row)));
}

/* A workspace reads the database only once it is first shown: at start
 * only the visible one does (and contacts, whose overdue count is in the
 * sidebar, but that reads after the first frame). A hidden pipeline board
 * or dashboard on a large database held the first window back for seconds. */
static void
give_page_context (CrmWindow *self,
                   GtkWidget *page)
{
  if (self->context == NULL || page == NULL || self->pages_with_context == NULL ||
      g_hash_table_contains (self->pages_with_context, page))
    return;
  g_hash_table_add (self->pages_with_context, page);

  if (page == GTK_WIDGET (self->contacts_page))
    crm_contacts_page_set_context (self->contacts_page, self->context);
  else if (page == GTK_WIDGET (self->dashboard_page))
    crm_dashboard_page_set_context (self->dashboard_page, self->context);
  else if (page == GTK_WIDGET (self->pipeline_page))
    crm_pipeline_page_set_context (self->pipeline_page, self->context);
  else if (page == GTK_WIDGET (self->surveys_page))
    crm_surveys_page_set_context (self->surveys_page, self->context);
  else if (page == GTK_WIDGET (self->service_page))
    crm_service_page_set_context (self->service_page, self->context);
  else if (page == GTK_WIDGET (self->reports_page))
    crm_reports_page_set_context (self->reports_page, self->context);
  else if (page == GTK_WIDGET (self->campaigns_page))
    crm_campaigns_page_set_context (self->campaigns_page, self->context);
}

static void
on_visible_workspace_changed (CrmWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->stack);
  GtkWidget *child = adw_view_stack_get_visible_child (self->stack);
  AdwViewStackPage *page;
  GtkListBoxRow *row;

  if (name == NULL || child == NULL)
    return;

  give_page_context (self, child);
  page = adw_view_stack_get_page (self->stack, child);
  adw_window_title_set_title (self->content_title, adw_view_stack_page_get_title (page));

  row = find_workspace_row (self, name);
  if (row != NULL && gtk_list_box_get_selected_row (self->workspace_list) != row)
    gtk_list_box_select_row (self->workspace_list, row);

  g_settings_set_string (self->settings, "last-workspace", name);
}

static void
workspace_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmWindow *self = CRM_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);

  if (adw_view_stack_get_child_by_name (self->stack, name) == NULL)
    {
      g_warning ("No workspace named “%s”", name);
      return;
    }

  adw_view_stack_set_visible_child_name (self->stack, name);
  /* On a narrow window the sidebar and the content are one at a time. */
  adw_leaflet_set_visible_child (self->leaflet, self->content);
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrmWindow *self = CRM_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* The contacts behind a figure (the dashboard's dormant customers): the
 * contacts workspace with exactly these (filter, value) pairs. */
static void
show_contacts_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmWindow *self = CRM_WINDOW (widget);
  GVariantIter iter;
  const char *filter, *value;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.workspace", "s", "contacts");
  /* Clears the filters too. */
  gtk_widget_activate_action (GTK_WIDGET (self->contacts_page), "contacts.clear-search", NULL);
  g_variant_iter_init (&iter, parameter);
  while (g_variant_iter_next (&iter, "(&s&s)", &filter, &value))
    gtk_widget_activate_action (GTK_WIDGET (self->contacts_page), "contacts.filter", "(ss)", filter, value);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmWindow *self = CRM_WINDOW (widget);
  CrmImportDialog *dialog;

  if (self->context == NULL)
    return;
  dialog = crm_import_dialog_new (GTK_WINDOW (self), self->context);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
find_duplicates_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  CrmWindow *self = CRM_WINDOW (widget);

  if (self->context != NULL)
    gtk_window_present (GTK_WINDOW (crm_duplicates_dialog_new (GTK_WINDOW (self), self->context)));
}

static void
on_import_undone (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CrmWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  AdwToast *toast;

  if (crm_import_undo_finish (result, NULL, &error))
    toast = adw_toast_new (_("Import undone"));
  else
    {
      toast = adw_toast_new (error->message);
      adw_toast_set_timeout (toast, 0);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* The Undo of the toast an import leaves behind (the run's id). */
static void
undo_import_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmWindow *self = CRM_WINDOW (widget);

  if (self->context == NULL)
    return;
  crm_import_undo_async (crm_context_get_store (self->context), g_variant_get_string (parameter, NULL),
                         NULL, on_import_undone, g_object_ref (self));
}

static void
restore_window_state (CrmWindow *self)
{
  g_autofree char *workspace = NULL;

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  workspace = g_settings_get_string (self->settings, "last-workspace");
  if (adw_view_stack_get_child_by_name (self->stack, workspace) != NULL)
    adw_view_stack_set_visible_child_name (self->stack, workspace);
  on_visible_workspace_changed (self);
}

static void
save_window_state (CrmWindow *self)
{
  int width, height;

  /* The default size is the unmaximized size GTK tracks for us. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static gboolean
crm_window_close_request (GtkWindow *window)
{
  save_window_state (CRM_WINDOW (window));

  return GTK_WINDOW_CLASS (crm_window_parent_class)->close_request (window);
}

/* --- sync status ------------------------------------------------------------ */

/* "just now", "5 minutes ago", … for the last complete sync. */
static char *
format_last_synced (gint64 unix_time)
{
  g_autoptr(GDateTime) then = NULL;
  g_autoptr(GDateTime) local = NULL;
  gint64 ago = g_get_real_time () / G_USEC_PER_SEC - unix_time;

  if (ago < 60)
    return g_strdup (_("Last synced just now"));
  if (ago < 3600)
    return g_strdup_printf (ngettext ("Last synced %d minute ago", "Last synced %d minutes ago", (int) (ago / 60)),
                            (int) (ago / 60));
  if (ago < 24 * 3600)
    return g_strdup_printf (ngettext ("Last synced %d hour ago", "Last synced %d hours ago", (int) (ago / 3600)),
                            (int) (ago / 3600));
  then = g_date_time_new_from_unix_utc (unix_time);
  local = g_date_time_to_local (then);
  {
    g_autofree char *when = g_date_time_format (local, "%Y-%m-%d %H:%M");

    /* Translators: %s is a date and time. */
    return g_strdup_printf (_("Last synced %s"), when);
  }
}

static void
update_sync_status (CrmWindow *self)
{
  CrmSyncController *sync = self->context ? crm_context_get_sync (self->context) : NULL;
  CrmSyncState state = sync ? crm_sync_controller_get_state (sync) : CRM_SYNC_STATE_NOT_SET_UP;
  guint conflicts = sync ? crm_sync_controller_get_conflicts (sync) : 0;
  const char *icon = "network-offline-symbolic";
  g_autofree char *title = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *tooltip = NULL;

  switch (state)
    {
    case CRM_SYNC_STATE_NOT_SET_UP:
      title = g_strdup (_("Working offline"));
      detail = g_strdup (_("No sync server set up"));
      tooltip = g_strdup (_("Changes are kept in the local database on this computer. Set a sync server in Preferences to share them with your team."));
      break;
    case CRM_SYNC_STATE_OFFLINE:
      title = g_strdup (_("Offline"));
      detail = g_strdup (_("Changes are sent when the network is back"));
      break;
    case CRM_SYNC_STATE_SYNCING:
      icon = "emblem-synchronizing-symbolic";
      title = g_strdup (_("Syncing…"));
      if (crm_sync_controller_get_progress_total (sync) > 0)
        /* Translators: progress of a sync, e.g. "300 of 1,000 changes". */
        detail = g_strdup_printf (ngettext ("%'u of %'u change", "%'u of %'u changes",
                                            crm_sync_controller_get_progress_total (sync)),
                                  crm_sync_controller_get_progress_done (sync),
                                  crm_sync_controller_get_progress_total (sync));
      else
        detail = g_strdup (_("Connecting to the server"));
      break;
    case CRM_SYNC_STATE_UP_TO_DATE:
      icon = "emblem-ok-symbolic";
      title = g_strdup (_("Up to date"));
      detail = format_last_synced (crm_sync_controller_get_last_synced (sync));
      break;
    case CRM_SYNC_STATE_ERROR:
      icon = "dialog-warning-symbolic";
      title = g_strdup (_("Sync failed"));
      detail = g_strdup (crm_sync_controller_get_error_message (sync));
      tooltip = g_strdup_printf (_("%s\nChanges stay on this computer; sync tries again by itself. Click to try now."),
                                 detail ? detail : "");
      break;
    case CRM_SYNC_STATE_SIGN_IN_REQUIRED:
      icon = "dialog-password-symbolic";
      title = g_strdup (_("Sign in to sync"));
      detail = g_strdup (_("Your changes are kept until you sign in again"));
      tooltip = g_strdup (crm_sync_controller_get_error_message (sync));
      break;
    default:
      g_assert_not_reached ();
    }

  /* Conflicts wait for a person whatever else happens, except mid-sync. */
  if (conflicts > 0 && state != CRM_SYNC_STATE_SYNCING)
    {
      icon = "dialog-warning-symbolic";
      g_free (title);
      title = g_strdup_printf (ngettext ("%u conflict", "%u conflicts", conflicts), conflicts);
      g_free (tooltip);
      tooltip = g_strdup (_("The same data was changed on two computers. Click to choose which values to keep."));
    }

  gtk_image_set_from_icon_name (self->sync_status_icon, icon);
  gtk_label_set_label (self->sync_status_title, title);
  gtk_label_set_label (self->sync_status_detail, detail ? detail : "");
  gtk_widget_set_tooltip_text (self->sync_status_button, tooltip ? tooltip : detail);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sync_status_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, detail ? detail : "",
                                  -1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sync",
                                 state != CRM_SYNC_STATE_NOT_SET_UP && state != CRM_SYNC_STATE_SYNCING);
}

/* "5 minutes ago" grows old by itself. */
static gboolean
on_sync_status_tick (gpointer data)
{
  update_sync_status (data);
  return G_SOURCE_CONTINUE;
}

static void
sync_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmWindow *self = CRM_WINDOW (widget);

  if (self->context != NULL)
    crm_sync_controller_sync_now (crm_context_get_sync (self->context));
}

static void
show_conflicts_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  CrmWindow *self = CRM_WINDOW (widget);
  CrmConflictsWindow *conflicts;

  if (self->context == NULL)
    return;
  conflicts = crm_conflicts_window_new (self->context);
  gtk_window_set_transient_for (GTK_WINDOW (conflicts), GTK_WINDOW (self));
  gtk_window_set_modal (GTK_WINDOW (conflicts), TRUE);
  gtk_window_present (GTK_WINDOW (conflicts));
}

/* The status knows what is needed: review conflicts, sign in, set up, or
 * sync now. */
static void
on_sync_status_clicked (CrmWindow *self)
{
  CrmSyncController *sync = self->context ? crm_context_get_sync (self->context) : NULL;
  CrmSyncState state = sync ? crm_sync_controller_get_state (sync) : CRM_SYNC_STATE_NOT_SET_UP;

  if (sync != NULL && crm_sync_controller_get_conflicts (sync) > 0 && state != CRM_SYNC_STATE_SYNCING)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-conflicts", NULL);
  else if (state == CRM_SYNC_STATE_NOT_SET_UP || state == CRM_SYNC_STATE_SIGN_IN_REQUIRED)
    gtk_widget_activate_action (GTK_WIDGET (self), "app.preferences", NULL);
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "win.sync", NULL);
}

static void
crm_window_constructed (GObject *object)
{
  CrmWindow *self = (CrmWindow *)object;

  G_OBJECT_CLASS (crm_window_parent_class)->constructed (object);

  if (g_strcmp0 (PROFILE, "Devel") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  /* The others get theirs when first shown (give_page_context). */
  give_page_context (self, GTK_WIDGET (self->contacts_page));
  g_object_bind_property (self->contacts_page, "overdue-count",
                          adw_view_stack_get_page (self->stack, GTK_WIDGET (self->contacts_page)), "badge-number",
                          G_BINDING_SYNC_CREATE);

  if (self->context != NULL)
    {
      static const char * const props[] = {
        "notify::state", "notify::progress-done", "notify::progress-total",
        "notify::last-synced", "notify::error-message", "notify::conflicts",
      };

      for (guint i = 0; i < G_N_ELEMENTS (props); i++)
        g_signal_connect_object (crm_context_get_sync (self->context), props[i],
                                 G_CALLBACK (update_sync_status), self, G_CONNECT_SWAPPED);
    }
  self->sync_status_timer = g_timeout_add_seconds (30, on_sync_status_tick, self);
  update_sync_status (self);

  restore_window_state (self);
}

static void
crm_window_dispose (GObject *object)
{
  CrmWindow *self = (CrmWindow *)object;

  g_clear_handle_id (&self->sync_status_timer, g_source_remove);
  /* First, so that pages going away are not given the context. */
  g_clear_pointer (&self->pages_with_context, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (crm_window_parent_class)->dispose (object);
}

static void
crm_window_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CrmWindow *self = CRM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  CrmWindow *self = CRM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_window_class_init (CrmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  static const char * const workspaces[] = {
    "dashboard", "contacts", "pipeline", "campaigns", "surveys", "service", "reports",
  };

  object_class->constructed = crm_window_constructed;
  object_class->dispose = crm_window_dispose;
  object_class->get_property = crm_window_get_property;
  object_class->set_property = crm_window_set_property;
  window_class->close_request = crm_window_close_request;

  /* Everything the workspaces show comes from here; NULL only while the
   * database could not be opened and the window explains why. */
  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         CRM_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CRM_TYPE_CONTACTS_PAGE);
  g_type_ensure (CRM_TYPE_DASHBOARD_PAGE);
  g_type_ensure (CRM_TYPE_PIPELINE_PAGE);
  g_type_ensure (CRM_TYPE_SURVEYS_PAGE);
  g_type_ensure (CRM_TYPE_SERVICE_PAGE);
  g_type_ensure (CRM_TYPE_REPORTS_PAGE);
  g_type_ensure (CRM_TYPE_CAMPAIGNS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, workspace_list);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, sync_status_button);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, sync_status_icon);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, sync_status_title);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, sync_status_detail);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, content);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, contacts_page);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, dashboard_page);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, pipeline_page);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, surveys_page);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, service_page);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, reports_page);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, campaigns_page);
  gtk_widget_class_bind_template_callback (widget_class, on_workspace_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_sync_status_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_visible_workspace_changed);

  gtk_widget_class_install_action (widget_class, "win.workspace", "s", workspace_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.sync", NULL, sync_action);
  gtk_widget_class_install_action (widget_class, "win.show-conflicts", NULL, show_conflicts_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.sync", NULL);
  gtk_widget_class_install_action (widget_class, "win.show-contacts", "a(ss)", show_contacts_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.find-duplicates", NULL, find_duplicates_action);
  gtk_widget_class_install_action (widget_class, "win.undo-import", "s", undo_import_action);

  /* Ctrl+1 … Ctrl+7 jump to the workspaces in sidebar order. */
  for (guint i = 0; i < G_N_ELEMENTS (workspaces); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_CONTROL_MASK,
                                         "win.workspace", "s", workspaces[i]);
}

static void
crm_window_init (CrmWindow *self)
{
  self->pages_with_context = g_hash_table_new (NULL, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new ("com.example.Crm");

  gtk_list_box_bind_model (self->workspace_list,
                           G_LIST_MODEL (adw_view_stack_get_pages (self->stack)),
                           create_workspace_row, self, NULL);
}

CrmWindow *
crm_window_new (AdwApplication *application,
                CrmContext     *context)
{
  return g_object_new (CRM_TYPE_WINDOW,
                       "application", application,
                       "context", context,
                       NULL);
}

CrmContext *
crm_window_get_context (CrmWindow *self)
{
  g_return_val_if_fail (CRM_IS_WINDOW (self), NULL);

  return self->context;
}

const char *
crm_window_get_visible_workspace (CrmWindow *self)
{
  g_return_val_if_fail (CRM_IS_WINDOW (self), NULL);

  return adw_view_stack_get_visible_child_name (self->stack);
}

void
crm_window_add_toast (CrmWindow *self,
                      AdwToast  *toast)
{
  g_return_if_fail (CRM_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Shows contact @id in the contacts workspace (from a notification). */
void
crm_window_show_contact (CrmWindow  *self,
                         const char *id)
{
  g_return_if_fail (CRM_IS_WINDOW (self));
  g_return_if_fail (id != NULL);

  gtk_widget_activate_action (GTK_WIDGET (self), "win.workspace", "s", "contacts");
  gtk_widget_activate_action (GTK_WIDGET (self->contacts_page), "contacts.show-contact", "s", id);
}

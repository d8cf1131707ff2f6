/* crm-audit-window.c: the audit log viewer, from the server when it answers and from this computer when offline */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "crm-admin-client.h"
#include "crm-audit-window.h"
#include "crm-contact-labels.h"
#include "crm-json.h"
#include "crm-store-private.h"
#include "crm-sync-credentials.h"
#include "crm-sync-engine.h"
#include "crm-sync-protocol.h"
#include "crm-user-directory.h"

#define LOCAL_LIMIT 500

struct _CrmAuditWindow
{
  AdwWindow        parent_instance;

  CrmContext      *context;
  CrmAdminClient  *client;
  GCancellable    *cancellable;
  JsonArray       *entries;
  GHashTable      *user_names;   /* user id -> name, for owners and the local log */
  gboolean         online;
  gboolean         loading;
  GtkFileChooserNative *chooser;

  /* Template widgets */
  GtkEntry        *user_entry;
  GtkEntry        *row_entry;
  GtkEntry        *since_entry;
  GtkEntry        *until_entry;
  GtkLabel        *source_label;
  GtkStack        *stack;
  GtkListBox      *entries_list;
};

G_DEFINE_FINAL_TYPE (CrmAuditWindow, crm_audit_window, ADW_TYPE_WINDOW)

/* "2026-12-06 19:29" in local time from an ISO time or a clock value
 * (whose first part is one); the text as it is if it is neither. */
static char *
format_time (const char *text)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *iso = NULL;

  if (text == NULL || *text == '\0')
    return g_strdup ("");
  /* A clock value goes on after its time: "…Z-0000-<client id>". */
  iso = g_strndup (text, strchr (text, 'Z') ? (gsize) (strchr (text, 'Z') - text + 1) : strlen (text));
  utc = g_date_time_new_from_iso8601 (iso, NULL);
  if (utc == NULL)
    return g_strdup (text);
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* What a record is, as a heading says it. */
static const char *
table_label (const char *table)
{
  static const struct { const char *table; const char *label; } labels[] = {
    { "contacts", N_("Contact") }, { "purchases", N_("Purchase") }, { "activities", N_("Activity") },
    { "deals", N_("Deal") }, { "segments", N_("Segment") }, { "campaigns", N_("Campaign") },
    { "surveys", N_("Survey") }, { "survey_responses", N_("Survey response") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].table, table) == 0)
      return _(labels[i].label);
  return table;
}

/* A value as people read it: user names for owners and assignees, names
 * for the records a field points to, local times, lists without JSON. */
static char *
display_value (CrmAuditWindow *self,
               const char     *field,
               JsonNode       *node)
{
  g_autofree char *json = NULL;
  const char *text;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("—");
  text = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
  if (text != NULL && *text == '\0')
    return g_strdup ("—");
  if (text != NULL && (g_str_equal (field, "owner_id") || g_str_equal (field, "assignee_id")) &&
      g_hash_table_contains (self->user_names, text))
    return g_strdup (g_hash_table_lookup (self->user_names, text));
  if (text != NULL && (g_str_equal (field, "contact_id") || g_str_equal (field, "organization_id")))
    {
      char *name = crm_sync_row_label (crm_context_get_store (self->context), "contacts", text);

      if (name != NULL)
        return name;
    }
  if (text != NULL && g_str_has_suffix (field, "_at"))
    return format_time (text);
  if (text != NULL && g_str_equal (field, "kind"))
    return g_strdup (crm_value_label (crm_kind_labels, text));
  if (text != NULL && g_str_equal (field, "gender"))
    return g_strdup (crm_value_label (crm_gender_labels, text));
  if (text != NULL && g_str_has_prefix (field, "lifecycle"))
    return g_strdup (crm_value_label (crm_lifecycle_labels, text));
  if (g_str_has_prefix (field, "consent_") && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup (json_node_get_int (node) ? _("Yes") : _("No"));
  if (JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) == 0)
    return g_strdup ("—");
  if (JSON_NODE_HOLDS_ARRAY (node) && g_str_equal (field, "phones"))
    {
      JsonArray *phones = json_node_get_array (node);
      GString *numbers = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (phones); i++)
        {
          JsonNode *phone = json_array_get_element (phones, i);
          JsonObject *object = JSON_NODE_HOLDS_OBJECT (phone) ? json_node_get_object (phone) : NULL;
          g_autofree char *number = crm_format_phone (object ? json_object_get_string_member_with_default (object, "e164", NULL)
                                                             : NULL);

          if (number == NULL)
            continue;
          g_string_append_printf (numbers, "%s%s", numbers->len ? ", " : "", number);
        }
      return g_string_free (numbers, FALSE);
    }
  json = crm_json_to_string (node);
  return crm_sync_conflict_display_value (json);
}

static GtkWidget *
entry_row (CrmAuditWindow *self,
           JsonObject     *entry)
{
  GtkWidget *row = adw_action_row_new ();
  GString *lines = g_string_new (NULL);
  JsonObject *changes = json_object_get_object_member (entry, "changes");
  const char *table = json_object_get_string_member_with_default (entry, "table", "");
  const char *row_id = json_object_get_string_member_with_default (entry, "row_id", "");
  const char *sync_time = json_object_get_string_member_with_default (entry, "sync_time", NULL);
  const char *device = json_object_get_string_member_with_default (entry, "device", "");
  const char *user = json_object_get_string_member_with_default (entry, "user", "");
  g_autofree char *edit_time = format_time (json_object_get_string_member_with_default (entry, "edit_time", ""));
  g_autofree char *record = crm_sync_row_label (crm_context_get_store (self->context), table, row_id);
  g_autofree char *title = NULL;
  JsonObjectIter iter;
  const char *field;
  JsonNode *pair;

  if (g_hash_table_contains (self->user_names, user))
    user = g_hash_table_lookup (self->user_names, user);
  /* Translators: when a change was made, by whom, the kind of record
   * (Contact, Deal, …) and its name. */
  title = g_strdup_printf (_("%s · %s · %s %s"), edit_time, *user ? user : _("unknown user"),
                           table_label (table), record ? record : row_id);
  if (changes != NULL)
    {
      json_object_iter_init (&iter, changes);
      while (json_object_iter_next (&iter, &field, &pair))
        {
          JsonArray *values = JSON_NODE_HOLDS_ARRAY (pair) ? json_node_get_array (pair) : NULL;
          g_autofree char *before = NULL;
          g_autofree char *after = NULL;

          /* An insert in the local log lists every column, most empty;
           * when a record was made and that it is not deleted go without
           * saying. */
          if (values == NULL || json_array_get_length (values) != 2 ||
              json_node_equal (json_array_get_element (values, 0), json_array_get_element (values, 1)) ||
              (JSON_NODE_HOLDS_NULL (json_array_get_element (values, 0)) &&
               (JSON_NODE_HOLDS_NULL (json_array_get_element (values, 1)) ||
                g_str_equal (field, "created_at") || g_str_equal (field, "deleted"))))
            continue;
          before = display_value (self, field, json_array_get_element (values, 0));
          after = display_value (self, field, json_array_get_element (values, 1));
          /* Nothing and an empty list read the same. */
          if (g_str_equal (before, after))
            continue;
          if (lines->len > 0)
            g_string_append_c (lines, '\n');
          /* Translators: a field, its value before and after a change. */
          g_string_append_printf (lines, _("%s: %s → %s"), crm_field_label (table, field), before, after);
        }
    }
  if (sync_time != NULL)
    {
      g_autofree char *synced = format_time (sync_time);
      g_autofree char *computer = crm_sync_client_label (device);

      /* Translators: when the server received a change, and from which
       * computer (a short code, as in the conflicts window). */
      g_string_append_printf (lines, _("\nSynced %s from computer %s"), synced, computer);
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), lines->str);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_set_name (row, row_id);
  g_string_free (lines, TRUE);
  return row;
}

static void
show_entries (CrmAuditWindow *self,
              JsonArray      *entries,
              gboolean        online,
              const char     *why_offline)
{
  GtkWidget *child;

  g_autoptr(GPtrArray) users = crm_user_directory_list (crm_context_get_store (self->context), NULL);

  g_clear_pointer (&self->entries, json_array_unref);
  self->entries = json_array_ref (entries);
  self->online = online;
  g_hash_table_remove_all (self->user_names);
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      CrmUserEntry *user = g_ptr_array_index (users, i);

      g_hash_table_insert (self->user_names, g_strdup (user->id), g_strdup (user->name));
    }
  /* The signed-in user, whom the directory may not list yet. */
  {
    CrmStore *store = crm_context_get_store (self->context);
    g_autofree char *user_id = crm_store_get_meta (store, "user_id");
    g_autofree char *server = NULL;
    g_autofree char *name = NULL;

    if (user_id != NULL && !g_hash_table_contains (self->user_names, user_id) &&
        crm_sync_account_get (store, &server, &name))
      g_hash_table_insert (self->user_names, g_steal_pointer (&user_id), g_steal_pointer (&name));
  }
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->entries_list))) != NULL)
    gtk_list_box_remove (self->entries_list, child);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    gtk_list_box_append (self->entries_list, entry_row (self, json_array_get_object_element (entries, i)));
  gtk_stack_set_visible_child_name (self->stack, json_array_get_length (entries) > 0 ? "entries" : "empty");
  if (online)
    gtk_label_set_text (self->source_label, _("The server's log: every change of the team, with the time it was made and the time it reached the server."));
  else
    {
      g_autofree char *text = g_strdup_printf (_("%s Showing the changes made on this computer only."), why_offline);

      gtk_label_set_text (self->source_label, text);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.export", json_array_get_length (entries) > 0);
}

static const char *
entry_text (GtkEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  return *text ? text : NULL;
}

static void
show_local (CrmAuditWindow *self,
            const char     *why)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) entries = crm_admin_local_audit (crm_context_get_store (self->context),
                                                        entry_text (self->row_entry), entry_text (self->since_entry),
                                                        entry_text (self->until_entry), LOCAL_LIMIT, &error);
  const char *user = entry_text (self->user_entry);

  if (entries == NULL)
    {
      gtk_label_set_text (self->source_label, error->message);
      return;
    }
  /* The local log knows the user by id only: keep what matches either. */
  if (user != NULL)
    for (guint i = json_array_get_length (entries); i > 0; i--)
      if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (entries, i - 1), "user"), user) != 0)
        json_array_remove_element (entries, i - 1);
  show_entries (self, entries, FALSE, why);
}

static void
on_server_entries (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CrmAuditWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = crm_admin_client_call_finish (CRM_ADMIN_CLIENT (source), result, &error);

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->loading = FALSE;
      if (answer != NULL && json_object_get_array_member (answer, "entries") != NULL)
        show_entries (self, json_object_get_array_member (answer, "entries"), TRUE, NULL);
      else if (g_error_matches (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_NETWORK) ||
               g_error_matches (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_UNAVAILABLE))
        show_local (self, _("The server cannot be reached."));
      else
        gtk_label_set_text (self->source_label, error ? error->message : "");
    }
  g_object_unref (self);
}

static void
refresh (CrmAuditWindow *self)
{
  g_autofree char *path = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = FALSE;
  if (self->client == NULL)
    {
      show_local (self, _("Not signed in to a server."));
      return;
    }
  path = crm_admin_client_audit_path (entry_text (self->user_entry), entry_text (self->row_entry),
                                      entry_text (self->since_entry), entry_text (self->until_entry), 0);
  self->loading = TRUE;
  crm_admin_client_call (self->client, "GET", path, NULL, self->cancellable, on_server_entries, g_object_ref (self));
}

static void
on_filter_activate (CrmAuditWindow *self)
{
  refresh (self);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  refresh (CRM_AUDIT_WINDOW (widget));
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  CrmAuditWindow *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The audit log could not be saved: %s"), error->message);

      gtk_label_set_text (self->source_label, text);
    }
  else
    gtk_label_set_text (self->source_label, _("The audit log was saved."));
  g_object_unref (self);
}

static void
on_export_response (GtkNativeDialog *chooser,
                    int              response,
                    CrmAuditWindow  *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT && self->entries != NULL &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL)
    {
      char *csv = crm_admin_audit_to_csv (self->entries);
      g_autoptr(GBytes) bytes = g_bytes_new_take (csv, strlen (csv));

      /* Who changed which customer: this user's eyes only. */
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL,
                                           on_saved, g_object_ref (self));
    }
  g_clear_object (&self->chooser);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmAuditWindow *self = CRM_AUDIT_WINDOW (widget);

  if (self->entries == NULL || self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Export the Audit Log"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), _("audit-log.csv"));
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_export_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

JsonArray *
crm_audit_window_get_entries (CrmAuditWindow *self)
{
  g_return_val_if_fail (CRM_IS_AUDIT_WINDOW (self), NULL);

  return self->entries;
}

gboolean
crm_audit_window_is_loading (CrmAuditWindow *self)
{
  g_return_val_if_fail (CRM_IS_AUDIT_WINDOW (self), FALSE);

  return self->loading;
}

gboolean
crm_audit_window_is_online (CrmAuditWindow *self)
{
  g_return_val_if_fail (CRM_IS_AUDIT_WINDOW (self), FALSE);

  return self->online;
}

static void
crm_audit_window_dispose (GObject *object)
{
  CrmAuditWindow *self = CRM_AUDIT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->client);
  g_clear_object (&self->context);
  g_clear_pointer (&self->entries, json_array_unref);
  g_clear_pointer (&self->user_names, g_hash_table_unref);

  G_OBJECT_CLASS (crm_audit_window_parent_class)->dispose (object);
}

static void
crm_audit_window_class_init (CrmAuditWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_audit_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-audit-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmAuditWindow, user_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmAuditWindow, row_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmAuditWindow, since_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmAuditWindow, until_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmAuditWindow, source_label);
  gtk_widget_class_bind_template_child (widget_class, CrmAuditWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmAuditWindow, entries_list);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_activate);

  gtk_widget_class_install_action (widget_class, "audit.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "audit.export", NULL, export_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
crm_audit_window_init (CrmAuditWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->user_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.export", FALSE);
}

CrmAuditWindow *
crm_audit_window_new (CrmContext *context)
{
  CrmAuditWindow *self = g_object_new (CRM_TYPE_AUDIT_WINDOW, NULL);
  CrmStore *store = crm_context_get_store (context);
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;
  g_autofree char *role = crm_sync_account_get_role (store);

  self->context = g_object_ref (context);
  /* Admins and managers may read the server's log; anyone reads their
   * own computer's. */
  if ((g_strcmp0 (role, "admin") == 0 || g_strcmp0 (role, "manager") == 0) &&
      crm_sync_account_get (store, &server, &user))
    self->client = crm_admin_client_new (server, user, crm_store_get_client_id (store));
  refresh (self);
  return self;
}

/* crm-admin-page.c: the Administration page of the preferences, talking to crm-server's /v1/admin */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-admin-client.h"
#include "crm-admin-page.h"
#include "crm-audit-window.h"
#include "crm-sync-credentials.h"

struct _CrmAdminPage
{
  AdwPreferencesPage  parent_instance;

  CrmContext         *context;
  CrmAdminClient     *client;
  GCancellable       *cancellable;
  JsonArray          *users;
  guint               loading;

  /* Template widgets */
  AdwPreferencesGroup *users_group;
  GtkListBox          *users_list;
};

G_DEFINE_FINAL_TYPE (CrmAdminPage, crm_admin_page, ADW_TYPE_PREFERENCES_PAGE)

static const char * const role_ids[] = { "admin", "manager", "analyst", "sales", "marketing", "service", NULL };

static const char *
role_label (const char *role)
{
  if (g_strcmp0 (role, "admin") == 0)
    return _("Administrator");
  if (g_strcmp0 (role, "manager") == 0)
    return _("Manager");
  if (g_strcmp0 (role, "analyst") == 0)
    return _("Analyst");
  if (g_strcmp0 (role, "sales") == 0)
    return _("Sales");
  if (g_strcmp0 (role, "marketing") == 0)
    return _("Marketing");
  if (g_strcmp0 (role, "service") == 0)
    return _("Service");
  return role;
}

static void
toast (CrmAdminPage *self,
       const char   *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (message));
}

static JsonObject *
find_user (CrmAdminPage *self,
           const char   *name)
{
  for (guint i = 0; self->users != NULL && i < json_array_get_length (self->users); i++)
    {
      JsonObject *user = json_array_get_object_element (self->users, i);

      if (g_strcmp0 (json_object_get_string_member (user, "name"), name) == 0)
        return user;
    }
  return NULL;
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GMenuModel *
user_menu (const char *name,
           gboolean    disabled)
{
  GMenu *menu = g_menu_new ();
  GMenu *section = g_menu_new ();
  static const struct { const char *label; const char *action; } items[] = {
    { N_("Change _Role…"), "admin.set-role" },
    { N_("Change _Team…"), "admin.set-team" },
    { N_("Reset _Password…"), "admin.reset-password" },
    { N_("_Devices…"), "admin.devices" },
    { N_("Give _Customers to…"), "admin.reassign" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_(items[i].label), NULL);

      g_menu_item_set_action_and_target (item, items[i].action, "s", name);
      g_menu_append_item (menu, item);
    }
  {
    g_autoptr(GMenuItem) item = g_menu_item_new (disabled ? _("_Enable Account") : _("_Disable Account…"), NULL);

    g_menu_item_set_action_and_target (item, "admin.toggle-disabled", "s", name);
    g_menu_append_item (section, item);
  }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  g_object_unref (section);
  return G_MENU_MODEL (menu);
}

static void
show_users (CrmAdminPage *self)
{
  clear_list (self->users_list);
  for (guint i = 0; self->users != NULL && i < json_array_get_length (self->users); i++)
    {
      JsonObject *user = json_array_get_object_element (self->users, i);
      const char *name = json_object_get_string_member (user, "name");
      const char *team = json_object_get_string_member_with_default (user, "team", NULL);
      gboolean disabled = json_object_get_boolean_member_with_default (user, "disabled", FALSE);
      g_autoptr(GMenuModel) menu = user_menu (name, disabled);
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_menu_button_new ();

      /* Translators: a role, then a team name, e.g. "Sales · North". */
      subtitle = team ? g_strdup_printf (_("%s · %s"), role_label (json_object_get_string_member (user, "role")), team)
                      : g_strdup (role_label (json_object_get_string_member (user, "role")));
      if (disabled)
        {
          /* Translators: the role and team of an account that cannot sign in. */
          char *text = g_strdup_printf (_("%s · disabled"), subtitle);

          g_free (subtitle);
          subtitle = text;
        }
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_name (row, name);
      if (disabled)
        gtk_widget_add_css_class (row, "dim-label");
      gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
      gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), menu);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      /* Translators: tooltip of the menu of a user account; %s is its name. */
      {
        g_autofree char *tip = g_strdup_printf (_("Manage %s"), name);

        gtk_widget_set_tooltip_text (button, tip);
      }
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->users_list, row);
    }
}

static void
show_problem (CrmAdminPage *self,
              const char   *message)
{
  GtkWidget *row = adw_action_row_new ();

  clear_list (self->users_list);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("The users could not be loaded"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), message);
  gtk_list_box_append (self->users_list, row);
}

/* --- calls ----------------------------------------------------------------- */

static void refresh (CrmAdminPage *self);

typedef void (*Done) (CrmAdminPage *self, JsonObject *answer);

typedef struct
{
  CrmAdminPage *self;
  Done done;
  char *success;
} Pending;

static void
on_call_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pending *p = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = crm_admin_client_call_finish (CRM_ADMIN_CLIENT (source), result, &error);
  CrmAdminPage *self = p->self;

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->loading--;
      if (answer == NULL)
        toast (self, error->message);
      else
        {
          if (p->success != NULL)
            toast (self, p->success);
          if (p->done != NULL)
            p->done (self, answer);
        }
    }
  g_object_unref (p->self);
  g_free (p->success);
  g_free (p);
}

/* @success: the toast when it worked; @done: what to do with the answer. */
static void
call (CrmAdminPage *self,
      const char   *method,
      const char   *path,
      JsonObject   *body,
      const char   *success,
      Done          done)
{
  Pending *p;

  if (self->client == NULL)
    return;
  p = g_new0 (Pending, 1);
  p->self = g_object_ref (self);
  p->done = done;
  p->success = g_strdup (success);
  self->loading++;
  crm_admin_client_call (self->client, method, path, body, self->cancellable, on_call_done, p);
}

static void
users_loaded (CrmAdminPage *self,
              JsonObject   *answer)
{
  JsonArray *users = json_object_get_array_member (answer, "users");

  g_clear_pointer (&self->users, json_array_unref);
  self->users = users ? json_array_ref (users) : NULL;
  show_users (self);
}

static void
on_users_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CrmAdminPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = crm_admin_client_call_finish (CRM_ADMIN_CLIENT (source), result, &error);

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->loading--;
      if (answer != NULL)
        users_loaded (self, answer);
      else
        show_problem (self, error->message);
    }
  g_object_unref (self);
}

static void
refresh (CrmAdminPage *self)
{
  if (self->client == NULL)
    return;
  self->loading++;
  crm_admin_client_call (self->client, "GET", "/v1/admin/users", NULL, self->cancellable,
                         on_users_loaded, g_object_ref (self));
}

static void
changed_user (CrmAdminPage *self,
              JsonObject   *answer)
{
  refresh (self);
}

/* --- dialogs --------------------------------------------------------------- */

typedef void (*Respond) (CrmAdminPage *self, AdwMessageDialog *dialog, const char *name);

static void
on_dialog_response (AdwMessageDialog *dialog,
                    const char       *response,
                    CrmAdminPage     *self)
{
  Respond respond = g_object_get_data (G_OBJECT (dialog), "crm-respond");
  const char *name = g_object_get_data (G_OBJECT (dialog), "crm-user");

  if (g_strcmp0 (response, "apply") == 0 && respond != NULL)
    respond (self, dialog, name);
}

static AdwMessageDialog *
ask (CrmAdminPage *self,
     const char   *heading,
     const char   *body,
     const char   *apply_label,
     gboolean      destructive,
     GtkWidget    *extra,
     const char   *name,
     Respond       respond)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                                         heading, body));

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "apply", apply_label, NULL);
  adw_message_dialog_set_response_appearance (dialog, "apply",
                                              destructive ? ADW_RESPONSE_DESTRUCTIVE : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "apply");
  adw_message_dialog_set_close_response (dialog, "cancel");
  if (extra != NULL)
    adw_message_dialog_set_extra_child (dialog, extra);
  g_object_set_data_full (G_OBJECT (dialog), "crm-user", g_strdup (name), g_free);
  g_object_set_data (G_OBJECT (dialog), "crm-respond", respond);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_dialog_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static GtkWidget *
labelled (GtkWidget  *box,
          const char *label,
          GtkWidget  *widget,
          const char *key)
{
  GtkWidget *title = gtk_label_new_with_mnemonic (label);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (title), widget);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), widget);
  g_object_set_data (G_OBJECT (box), key, widget);
  return widget;
}

static GtkWidget *
role_dropdown (const char *current)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  GtkWidget *dropdown;
  guint selected = 3;

  for (guint i = 0; role_ids[i] != NULL; i++)
    {
      gtk_string_list_append (labels, role_label (role_ids[i]));
      if (g_strcmp0 (role_ids[i], current) == 0)
        selected = i;
    }
  dropdown = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&labels)), NULL);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), selected);
  return dropdown;
}

static const char *
dropdown_role (GtkWidget *dropdown)
{
  guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (dropdown));

  return selected < g_strv_length ((char **) role_ids) ? role_ids[selected] : "sales";
}

static GtkWidget *
form_box (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  return box;
}

static const char *
form_text (AdwMessageDialog *dialog,
           const char       *key)
{
  GtkWidget *box = adw_message_dialog_get_extra_child (dialog);

  return gtk_editable_get_text (GTK_EDITABLE (g_object_get_data (G_OBJECT (box), key)));
}

static void
respond_add_user (CrmAdminPage     *self,
                  AdwMessageDialog *dialog,
                  const char       *unused)
{
  GtkWidget *box = adw_message_dialog_get_extra_child (dialog);
  g_autoptr(JsonObject) body = json_object_new ();
  g_autofree char *name = g_strstrip (g_strdup (form_text (dialog, "name")));
  g_autofree char *team = g_strstrip (g_strdup (form_text (dialog, "team")));
  g_autofree char *success = g_strdup_printf (_("%s can sign in now"), name);

  json_object_set_string_member (body, "name", name);
  json_object_set_string_member (body, "password", form_text (dialog, "password"));
  json_object_set_string_member (body, "role", dropdown_role (g_object_get_data (G_OBJECT (box), "role")));
  if (*team != '\0')
    json_object_set_string_member (body, "team", team);
  call (self, "POST", "/v1/admin/users", body, success, changed_user);
}

static void
add_user_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CrmAdminPage *self = CRM_ADMIN_PAGE (widget);
  GtkWidget *box = form_box ();

  labelled (box, _("_Name"), gtk_entry_new (), "name");
  labelled (box, _("_Password (at least 8 characters)"), gtk_password_entry_new (), "password");
  labelled (box, _("_Role"), role_dropdown ("sales"), "role");
  labelled (box, _("_Team (optional)"), gtk_entry_new (), "team");
  ask (self, _("Add a User"), _("Give the name and password to the new user; they sign in with them in Preferences."),
       _("_Add"), FALSE, box, NULL, respond_add_user);
}

static void
respond_password (CrmAdminPage     *self,
                  AdwMessageDialog *dialog,
                  const char       *name)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autofree char *path = crm_admin_client_path ("users", name, NULL);
  g_autofree char *success = g_strdup_printf (_("New password for %s; their computers sign in again"), name);

  json_object_set_string_member (body, "password", form_text (dialog, "password"));
  call (self, "POST", path, body, success, changed_user);
}

static void
reset_password_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  const char *name = g_variant_get_string (parameter, NULL);
  GtkWidget *box = form_box ();
  g_autofree char *body = g_strdup_printf (_("Every computer %s is signed in on has to sign in again with the new password."), name);

  labelled (box, _("New _Password (at least 8 characters)"), gtk_password_entry_new (), "password");
  ask (CRM_ADMIN_PAGE (widget), _("Reset the Password?"), body, _("_Reset"), TRUE, box, name, respond_password);
}

static void
respond_role (CrmAdminPage     *self,
              AdwMessageDialog *dialog,
              const char       *name)
{
  GtkWidget *box = adw_message_dialog_get_extra_child (dialog);
  g_autoptr(JsonObject) body = json_object_new ();
  g_autofree char *path = crm_admin_client_path ("users", name, NULL);

  json_object_set_string_member (body, "role", dropdown_role (g_object_get_data (G_OBJECT (box), "role")));
  call (self, "POST", path, body, NULL, changed_user);
}

static void
set_role_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CrmAdminPage *self = CRM_ADMIN_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  JsonObject *user = find_user (self, name);
  GtkWidget *box = form_box ();
  g_autofree char *heading = g_strdup_printf (_("Role of %s"), name);

  labelled (box, _("_Role"), role_dropdown (user ? json_object_get_string_member (user, "role") : NULL), "role");
  ask (self, heading, _("The role decides what the user sees and may change. It applies when they sign in next."),
       _("_Change"), FALSE, box, name, respond_role);
}

static void
respond_team (CrmAdminPage     *self,
              AdwMessageDialog *dialog,
              const char       *name)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autofree char *path = crm_admin_client_path ("users", name, NULL);
  g_autofree char *team = g_strstrip (g_strdup (form_text (dialog, "team")));

  if (*team == '\0')
    json_object_set_null_member (body, "team");
  else
    json_object_set_string_member (body, "team", team);
  call (self, "POST", path, body, NULL, changed_user);
}

static void
set_team_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CrmAdminPage *self = CRM_ADMIN_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  JsonObject *user = find_user (self, name);
  GtkWidget *box = form_box ();
  GtkWidget *entry = gtk_entry_new ();
  g_autofree char *heading = g_strdup_printf (_("Team of %s"), name);

  if (user != NULL && json_object_get_string_member_with_default (user, "team", NULL) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (entry), json_object_get_string_member (user, "team"));
  labelled (box, _("_Team (empty for none)"), entry, "team");
  ask (self, heading, _("Sales reps see their team's customers; managers their team's work."),
       _("_Change"), FALSE, box, name, respond_team);
}

static void
respond_toggle_disabled (CrmAdminPage     *self,
                         AdwMessageDialog *dialog,
                         const char       *name)
{
  JsonObject *user = find_user (self, name);
  gboolean disabled = user ? json_object_get_boolean_member_with_default (user, "disabled", FALSE) : FALSE;
  g_autoptr(JsonObject) body = json_object_new ();
  g_autofree char *path = crm_admin_client_path ("users", name, NULL);
  g_autofree char *success = disabled ? g_strdup_printf (_("%s can sign in again"), name)
                                      : g_strdup_printf (_("%s is disabled"), name);

  json_object_set_boolean_member (body, "disabled", !disabled);
  call (self, "POST", path, body, success, changed_user);
}

static void
toggle_disabled_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  CrmAdminPage *self = CRM_ADMIN_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  JsonObject *user = find_user (self, name);
  g_autofree char *heading = NULL;

  if (user != NULL && json_object_get_boolean_member_with_default (user, "disabled", FALSE))
    {
      respond_toggle_disabled (self, NULL, name);
      return;
    }
  heading = g_strdup_printf (_("Disable %s?"), name);
  ask (self, heading,
       _("The account can no longer sign in, and its computers stop syncing at once. Its customers keep their owner: give them to someone else with “Give Customers to…”."),
       _("_Disable"), TRUE, NULL, name, respond_toggle_disabled);
}

static void
reassigned (CrmAdminPage *self,
            JsonObject   *answer)
{
  gint64 moved = json_object_get_int_member_with_default (answer, "moved", 0);
  g_autofree char *text = g_strdup_printf (ngettext ("%lld customer has a new owner", "%lld customers have a new owner",
                                                     (gulong) moved),
                                           (long long) moved);

  toast (self, text);
}

static void
respond_reassign (CrmAdminPage     *self,
                  AdwMessageDialog *dialog,
                  const char       *name)
{
  GtkWidget *box = adw_message_dialog_get_extra_child (dialog);
  GtkDropDown *to = g_object_get_data (G_OBJECT (box), "to");
  GtkStringObject *item = gtk_drop_down_get_selected_item (to);
  g_autoptr(JsonObject) body = json_object_new ();

  if (item == NULL)
    return;
  json_object_set_string_member (body, "from", name);
  json_object_set_string_member (body, "to", gtk_string_object_get_string (item));
  call (self, "POST", "/v1/admin/reassign", body, NULL, reassigned);
}

static void
reassign_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CrmAdminPage *self = CRM_ADMIN_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  g_autoptr(GtkStringList) others = gtk_string_list_new (NULL);
  GtkWidget *box = form_box ();
  g_autofree char *heading = g_strdup_printf (_("Give the Customers of %s to…"), name);
  g_autofree char *body = g_strdup_printf (_("Every customer of %s, with their purchases, deals and activities, moves to the user you choose. "
                                             "It leaves the computers of %s when they sync, and arrives on the new owner's."), name, name);

  for (guint i = 0; self->users != NULL && i < json_array_get_length (self->users); i++)
    {
      JsonObject *user = json_array_get_object_element (self->users, i);

      if (g_strcmp0 (json_object_get_string_member (user, "name"), name) != 0 &&
          !json_object_get_boolean_member_with_default (user, "disabled", FALSE))
        gtk_string_list_append (others, json_object_get_string_member (user, "name"));
    }
  labelled (box, _("_New owner"), gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&others)), NULL), "to");
  ask (self, heading, body, _("_Move Customers"), TRUE, box, name, respond_reassign);
}

/* The dialog is another window: its buttons reach the page's action
 * through the page. */
static void
on_revoke_clicked (GtkButton    *button,
                   CrmAdminPage *self)
{
  const char *client_id = g_object_get_data (G_OBJECT (button), "crm-client-id");

  gtk_widget_activate_action (GTK_WIDGET (self), "admin.revoke-device", "s", client_id);
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
}

static void
devices_loaded (CrmAdminPage *self,
                JsonObject   *answer)
{
  JsonArray *devices = json_object_get_array_member (answer, "devices");
  GtkWidget *list = gtk_list_box_new ();
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;
  const char *name = json_object_get_string_member_with_default (answer, "crm-user", "");
  g_autofree char *heading = g_strdup_printf (_("Computers of %s"), name);

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; devices != NULL && i < json_array_get_length (devices); i++)
    {
      JsonObject *device = json_array_get_object_element (devices, i);
      const char *client_id = json_object_get_string_member (device, "client_id");
      const char *label = json_object_get_string_member_with_default (device, "label", "");
      gboolean revoked = json_object_get_boolean_member_with_default (device, "revoked", FALSE);
      /* Translators: when a computer last synced (a UTC time), and its id. */
      g_autofree char *subtitle = g_strdup_printf (_("Last seen %s · %s"),
                                                   json_object_get_string_member_with_default (device, "last_seen", ""),
                                                   client_id);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), *label ? label : client_id);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (revoked)
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_label_new (_("Signed out")));
      else
        {
          GtkWidget *button = gtk_button_new_with_mnemonic (_("_Sign Out"));

          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (button, "destructive-action");
          g_object_set_data_full (G_OBJECT (button), "crm-client-id", g_strdup (client_id), g_free);
          g_signal_connect_object (button, "clicked", G_CALLBACK (on_revoke_clicked), self, 0);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
        }
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  if (devices == NULL || json_array_get_length (devices) == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No computer has signed in yet"));
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                                       _("Signing a computer out (a lost laptop, say) makes its next sync fail until someone signs in on it again with the password.")));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  adw_message_dialog_set_extra_child (dialog, list);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  CrmAdminPage *self;
  char *name;
} DeviceQuery;

static void
on_devices_loaded (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  DeviceQuery *q = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = crm_admin_client_call_finish (CRM_ADMIN_CLIENT (source), result, &error);

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      q->self->loading--;
      if (answer == NULL)
        toast (q->self, error->message);
      else
        {
          json_object_set_string_member (answer, "crm-user", q->name);
          devices_loaded (q->self, answer);
        }
    }
  g_object_unref (q->self);
  g_free (q->name);
  g_free (q);
}

static void
devices_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CrmAdminPage *self = CRM_ADMIN_PAGE (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  g_autofree char *path = crm_admin_client_path ("users", name, "devices", NULL);
  DeviceQuery *q;

  if (self->client == NULL)
    return;
  q = g_new0 (DeviceQuery, 1);
  q->self = g_object_ref (self);
  q->name = g_strdup (name);
  self->loading++;
  crm_admin_client_call (self->client, "GET", path, NULL, self->cancellable, on_devices_loaded, q);
}

static void
revoke_device_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmAdminPage *self = CRM_ADMIN_PAGE (widget);
  g_autofree char *path = crm_admin_client_path ("devices", g_variant_get_string (parameter, NULL), "revoke", NULL);
  g_autoptr(JsonObject) body = json_object_new ();

  call (self, "POST", path, body, _("The computer is signed out; its next sync is refused"), NULL);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  refresh (CRM_ADMIN_PAGE (widget));
}

static void
audit_log_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmAdminPage *self = CRM_ADMIN_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  CrmAuditWindow *window;

  if (self->context == NULL)
    return;
  window = crm_audit_window_new (self->context);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (window));
}

/* --- the class ------------------------------------------------------------- */

void
crm_admin_page_set_context (CrmAdminPage *self,
                            CrmContext   *context)
{
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;
  g_autofree char *role = NULL;
  CrmStore *store;

  g_return_if_fail (CRM_IS_ADMIN_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = 0;
  g_clear_object (&self->client);
  g_set_object (&self->context, context);
  g_clear_pointer (&self->users, json_array_unref);
  clear_list (self->users_list);
  if (context == NULL)
    return;
  store = crm_context_get_store (context);
  role = crm_sync_account_get_role (store);
  /* Only an admin gets this far in the UI; the server checks anyway. */
  if (g_strcmp0 (role, "admin") != 0 || !crm_sync_account_get (store, &server, &user))
    return;
  self->client = crm_admin_client_new (server, user, crm_store_get_client_id (store));
  refresh (self);
}

JsonArray *
crm_admin_page_get_users (CrmAdminPage *self)
{
  g_return_val_if_fail (CRM_IS_ADMIN_PAGE (self), NULL);

  return self->users;
}

gboolean
crm_admin_page_is_loading (CrmAdminPage *self)
{
  g_return_val_if_fail (CRM_IS_ADMIN_PAGE (self), FALSE);

  return self->loading > 0;
}

static void
crm_admin_page_dispose (GObject *object)
{
  CrmAdminPage *self = CRM_ADMIN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->context);
  g_clear_pointer (&self->users, json_array_unref);

  G_OBJECT_CLASS (crm_admin_page_parent_class)->dispose (object);
}

static void
crm_admin_page_class_init (CrmAdminPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_admin_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-admin-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmAdminPage, users_group);
  gtk_widget_class_bind_template_child (widget_class, CrmAdminPage, users_list);

  gtk_widget_class_install_action (widget_class, "admin.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "admin.add-user", NULL, add_user_action);
  gtk_widget_class_install_action (widget_class, "admin.reset-password", "s", reset_password_action);
  gtk_widget_class_install_action (widget_class, "admin.set-role", "s", set_role_action);
  gtk_widget_class_install_action (widget_class, "admin.set-team", "s", set_team_action);
  gtk_widget_class_install_action (widget_class, "admin.toggle-disabled", "s", toggle_disabled_action);
  gtk_widget_class_install_action (widget_class, "admin.reassign", "s", reassign_action);
  gtk_widget_class_install_action (widget_class, "admin.devices", "s", devices_action);
  gtk_widget_class_install_action (widget_class, "admin.revoke-device", "s", revoke_device_action);
  gtk_widget_class_install_action (widget_class, "admin.audit-log", NULL, audit_log_action);
}

static void
crm_admin_page_init (CrmAdminPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

CrmAdminPage *
crm_admin_page_new (void)
{
  return g_object_new (CRM_TYPE_ADMIN_PAGE, NULL);
}

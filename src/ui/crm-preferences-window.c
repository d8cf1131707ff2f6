/* crm-preferences-window.c: application preferences, bound straight to GSettings */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "crm-admin-page.h"
#include "crm-backup-group.h"
#include "crm-preferences-window.h"
#include "crm-smtp-group.h"
#include "crm-sync-credentials.h"
#include "crm-sync-engine.h"

struct _CrmPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  CrmContext           *context;
  GCancellable         *sign_in_cancellable;

  /* Template widgets */
  AdwComboRow          *color_scheme_row;
  AdwEntryRow          *company_row;
  AdwEntryRow          *sync_server_row;
  AdwPreferencesGroup  *account_group;
  AdwEntryRow          *user_row;
  AdwPasswordEntryRow  *password_row;
  GtkWidget            *sign_in_button;
  AdwActionRow         *account_row;
  CrmBackupGroup       *backup_group;
  CrmSmtpGroup         *smtp_group;
  CrmAdminPage         *admin_page;   /* shown to a signed-in admin only */
  gboolean              admin_shown;
};

G_DEFINE_FINAL_TYPE (CrmPreferencesWindow, crm_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The combo row lists the enum nicks in order: system, light, dark. */
static gboolean
color_scheme_get_mapping (GValue   *value,
                          GVariant *variant,
                          gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);
  guint position = 0;

  if (g_str_equal (nick, "light"))
    position = 1;
  else if (g_str_equal (nick, "dark"))
    position = 2;

  g_value_set_uint (value, position);
  return TRUE;
}

static GVariant *
color_scheme_set_mapping (const GValue       *value,
                          const GVariantType *expected_type,
                          gpointer            user_data)
{
  static const char * const nicks[] = { "system", "light", "dark" };
  guint position = g_value_get_uint (value);

  return g_variant_new_string (nicks[MIN (position, G_N_ELEMENTS (nicks) - 1)]);
}

/* A server address is applied when the user presses Enter (the row's apply
 * button), and only if it looks like one, so a half-typed URL never ends up
 * in the settings. */
static void
on_company_apply (CrmPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->context == NULL)
    return;
  if (!crm_store_set_company_name (crm_context_get_store (self->context),
                                   gtk_editable_get_text (GTK_EDITABLE (self->company_row)), &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->company_row), "error");
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->company_row), "error");
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (_("Reports will show the new company name")));
}

static void
on_sync_server_apply (CrmPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->sync_server_row));
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  g_autoptr(GUri) uri = NULL;

  if (*stripped != '\0')
    {
      uri = g_uri_parse (stripped, G_URI_FLAGS_NONE, NULL);
      if (uri == NULL ||
          (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 &&
           g_strcmp0 (g_uri_get_scheme (uri), "http") != 0) ||
          g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
        {
          g_autofree char *message =
            g_strdup_printf (_("“%s” is not a server address. Enter one like https://crm.example.com"),
                             stripped);

          gtk_widget_add_css_class (GTK_WIDGET (self->sync_server_row), "error");
          adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
          return;
        }
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->sync_server_row), "error");
  g_settings_set_string (self->settings, "sync-server", stripped);
}

/* --- the sync account ------------------------------------------------------ */

static CrmSyncController *
get_sync (CrmPreferencesWindow *self)
{
  return self->context ? crm_context_get_sync (self->context) : NULL;
}

static void
update_account (CrmPreferencesWindow *self)
{
  CrmSyncController *sync = get_sync (self);
  CrmSyncState state = sync ? crm_sync_controller_get_state (sync) : CRM_SYNC_STATE_NOT_SET_UP;
  gboolean signed_in = sync != NULL && crm_sync_controller_get_user (sync) != NULL &&
                       state != CRM_SYNC_STATE_NOT_SET_UP && state != CRM_SYNC_STATE_SIGN_IN_REQUIRED;
  gboolean busy = self->sign_in_cancellable != NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->account_group), self->context != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->account_row), signed_in);
  gtk_widget_set_visible (GTK_WIDGET (self->user_row), !signed_in);
  gtk_widget_set_visible (GTK_WIDGET (self->password_row), !signed_in);
  gtk_widget_set_visible (self->sign_in_button, !signed_in);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_server_row), !signed_in && !busy);
  gtk_widget_set_sensitive (self->sign_in_button, !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.sign-out", signed_in);
  {
    g_autofree char *role = signed_in ? crm_sync_account_get_role (crm_context_get_store (self->context)) : NULL;
    gboolean admin = g_strcmp0 (role, "admin") == 0;

    /* Non-admins see no administration at all; the server refuses their
     * calls anyway. Loaded when it appears, dropped when it goes. */
    if (admin != self->admin_shown)
      {
        self->admin_shown = admin;
        crm_admin_page_set_context (self->admin_page, admin ? self->context : NULL);
      }
    gtk_widget_set_visible (GTK_WIDGET (self->admin_page), admin);
  }
  if (signed_in)
    {
      g_autofree char *title = g_strdup_printf (_("Signed in as %s"), crm_sync_controller_get_user (sync));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->account_row), title);
      adw_action_row_set_subtitle (self->account_row, crm_sync_controller_get_server_url (sync));
    }
  if (state == CRM_SYNC_STATE_SIGN_IN_REQUIRED)
    adw_preferences_group_set_description (self->account_group,
                                           _("The server asks you to sign in again. Your changes are kept on this computer until you do."));
  else
    adw_preferences_group_set_description (self->account_group,
                                           _("Sign in with the account your administrator gave you."));
}

typedef struct
{
  char *server_url;
  char *user;
  char *password;
  char *client_id;
  CrmStore *store;
  gboolean wipe;
  char *role;      /* the server's answer, set by the thread */
} SignIn;

static void
sign_in_free (SignIn *s)
{
  g_free (s->server_url);
  g_free (s->user);
  if (s->password != NULL)
    memset (s->password, 0, strlen (s->password));
  g_free (s->password);
  g_free (s->client_id);
  g_free (s->role);
  g_clear_object (&s->store);
  g_free (s);
}

static void
sign_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SignIn *s = task_data;
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (s->store, s->server_url);
  GError *error = NULL;

  crm_sync_engine_set_credentials (engine, s->user, s->password);
  if (!crm_sync_engine_sign_in (engine, cancellable, &error) ||
      !crm_sync_credentials_store (s->server_url, s->user, s->client_id,
                                   crm_sync_engine_get_token (engine), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  s->role = g_strdup (crm_sync_engine_get_role (engine));
  g_task_return_pointer (task, g_strdup (crm_sync_engine_get_token (engine)), g_free);
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CrmPreferencesWindow) self = user_data;
  SignIn *s = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *token = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *message = NULL;
  CrmStore *store = crm_context_get_store (self->context);

  g_clear_object (&self->sign_in_cancellable);
  if (token == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
      update_account (self);
      return;
    }

  /* Another user's data goes before this one's arrives. */
  if ((s->wipe && !crm_sync_account_wipe (store, &error)) ||
      !crm_sync_account_bind (store, s->server_url, s->user, &error) ||
      !crm_sync_account_set_role (store, s->role, &error))
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
      update_account (self);
      return;
    }
  g_settings_set_string (self->settings, "sync-server", s->server_url);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  crm_sync_controller_set_account (get_sync (self), s->server_url, s->user, token);
  message = g_strdup_printf (_("Signed in as %s"), s->user);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
  update_account (self);
}

static void
start_sign_in (CrmPreferencesWindow *self,
               const char           *server_url,
               const char           *user,
               gboolean              wipe)
{
  g_autoptr(GTask) task = NULL;
  SignIn *s = g_new0 (SignIn, 1);

  /* A sync of the old account must not write while its data goes. */
  crm_sync_controller_shutdown (get_sync (self));
  s->server_url = g_strdup (server_url);
  s->user = g_strdup (user);
  s->password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
  s->store = g_object_ref (crm_context_get_store (self->context));
  s->client_id = g_strdup (crm_store_get_client_id (s->store));
  s->wipe = wipe;
  self->sign_in_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->sign_in_cancellable, on_signed_in, g_object_ref (self));
  g_task_set_task_data (task, s, (GDestroyNotify) sign_in_free);
  g_task_run_in_thread (task, sign_in_thread);
  update_account (self);
}

static void
on_password_activated (CrmPreferencesWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "prefs.sign-in", NULL);
}

typedef struct
{
  CrmPreferencesWindow *self;
  char *server_url;
  char *user;
} Pending;

static void
on_replace_response (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          user_data)
{
  Pending *p = user_data;

  if (g_strcmp0 (response, "replace") == 0)
    start_sign_in (p->self, p->server_url, p->user, TRUE);
  g_object_unref (p->self);
  g_free (p->server_url);
  g_free (p->user);
  g_free (p);
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CrmPreferencesWindow *self = CRM_PREFERENCES_WINDOW (widget);
  CrmStore *store;
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;
  g_autofree char *bound_server = NULL;
  g_autofree char *bound_user = NULL;

  if (self->context == NULL || self->sign_in_cancellable != NULL)
    return;
  store = crm_context_get_store (self->context);
  server = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->sync_server_row))));
  user = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->user_row))));
  if (*server == '\0' || *user == '\0')
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("Enter the server address and your user name first")));
      return;
    }

  /* One database holds one account's data: signing in as someone else
   * (or on another server) removes what is here first, after asking. */
  if (crm_sync_account_get (store, &bound_server, &bound_user) &&
      (g_strcmp0 (bound_server, server) != 0 || g_strcmp0 (bound_user, user) != 0))
    {
      guint unsent = crm_sync_account_count_unsent (store);
      g_autofree char *body = NULL;
      AdwMessageDialog *dialog;
      Pending *p = g_new0 (Pending, 1);

      if (unsent > 0)
        body = g_strdup_printf (ngettext ("This computer holds the data of %s on %s, with %u change not sent yet. Signing in as %s removes it from this computer first, and the unsent change is lost.",
                                          "This computer holds the data of %s on %s, with %u changes not sent yet. Signing in as %s removes it from this computer first, and the unsent changes are lost.",
                                          unsent),
                                bound_user, bound_server, unsent, user);
      else
        body = g_strdup_printf (_("This computer holds the data of %s on %s. Signing in as %s removes it from this computer first; it stays on the server."),
                                bound_user, bound_server, user);
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Replace the Data on This Computer?"), body));
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "replace", _("_Remove and Sign In"), NULL);
      adw_message_dialog_set_response_appearance (dialog, "replace", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (dialog, "cancel");
      adw_message_dialog_set_close_response (dialog, "cancel");
      p->self = g_object_ref (self);
      p->server_url = g_strdup (server);
      p->user = g_strdup (user);
      g_signal_connect (dialog, "response", G_CALLBACK (on_replace_response), p);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  start_sign_in (self, server, user, FALSE);
}

typedef struct
{
  char *server_url;
  char *user;
  char *client_id;
} Forget;

static void
forget_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Forget *f = task_data;
  g_autoptr(GError) error = NULL;

  if (!crm_sync_credentials_clear (f->server_url, f->user, f->client_id, &error))
    g_warning ("%s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
forget_free (Forget *f)
{
  g_free (f->server_url);
  g_free (f->user);
  g_free (f->client_id);
  g_free (f);
}

/* "keep": the data stays and the database stays bound to this user;
 * "wipe": the data goes too. */
static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CrmPreferencesWindow *self = CRM_PREFERENCES_WINDOW (widget);
  CrmSyncController *sync = get_sync (self);
  CrmStore *store;
  gboolean wipe = g_str_equal (g_variant_get_string (parameter, NULL), "wipe");
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Forget *f;

  if (sync == NULL || crm_sync_controller_get_user (sync) == NULL)
    return;
  store = crm_context_get_store (self->context);
  f = g_new0 (Forget, 1);
  f->server_url = g_strdup (crm_sync_controller_get_server_url (sync));
  f->user = g_strdup (crm_sync_controller_get_user (sync));
  f->client_id = g_strdup (crm_store_get_client_id (store));
  crm_sync_controller_set_account (sync, NULL, NULL, NULL);
  if ((wipe && !crm_sync_account_wipe (store, &error)) ||
      (!wipe && !crm_sync_account_set_signed_out (store, TRUE, &error)))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), f->user);
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, f, (GDestroyNotify) forget_free);
  g_task_run_in_thread (task, forget_thread);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (wipe ? _("Signed out; the data was removed from this computer")
                                                        : _("Signed out; the data stays on this computer")));
  update_account (self);
}

static void
on_sign_out_response (AdwMessageDialog     *dialog,
                      const char           *response,
                      CrmPreferencesWindow *self)
{
  if (g_str_equal (response, "keep") || g_str_equal (response, "wipe"))
    gtk_widget_activate_action (GTK_WIDGET (self), "prefs.sign-out", "s", response);
}

static void
ask_sign_out_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrmPreferencesWindow *self = CRM_PREFERENCES_WINDOW (widget);
  guint unsent = self->context ? crm_sync_account_count_unsent (crm_context_get_store (self->context)) : 0;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  /* Say exactly what removing loses: the customers stay on the server,
   * unsent changes exist nowhere else. */
  if (unsent > 0)
    body = g_strdup_printf (ngettext ("Keep the data on this computer to work with it offline and sign in again later as the same user, or remove it, for example before someone else uses this computer. Removing it also removes the sign-in and %u change not sent to the server yet, which is then lost.",
                                      "Keep the data on this computer to work with it offline and sign in again later as the same user, or remove it, for example before someone else uses this computer. Removing it also removes the sign-in and %u changes not sent to the server yet, which are then lost.",
                                      unsent), unsent);
  else
    body = g_strdup (_("Keep the data on this computer to work with it offline and sign in again later as the same user, or remove it and the sign-in, for example before someone else uses this computer. Every change was sent, so nothing is lost: the data stays on the server."));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Sign Out?"), body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "wipe", _("_Remove Data"),
                                    "keep", _("_Keep Data"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "wipe", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "keep");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_sign_out_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
crm_preferences_window_set_context (CrmPreferencesWindow *self,
                                    CrmContext           *context)
{
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;

  g_return_if_fail (CRM_IS_PREFERENCES_WINDOW (self));

  if (!g_set_object (&self->context, context))
    return;
  if (context != NULL)
    {
      g_autofree char *company = crm_store_dup_company_name (crm_context_get_store (context));

      crm_backup_group_set_context (self->backup_group, context);
      gtk_editable_set_text (GTK_EDITABLE (self->company_row), company != NULL ? company : "");
      gtk_widget_set_sensitive (GTK_WIDGET (self->company_row), TRUE);
      g_signal_connect_object (crm_context_get_sync (context), "notify::state",
                               G_CALLBACK (update_account), self, G_CONNECT_SWAPPED);
      /* Signing in again: the account is already known. */
      if (crm_sync_account_get (crm_context_get_store (context), &server, &user))
        {
          gtk_editable_set_text (GTK_EDITABLE (self->sync_server_row), server);
          gtk_editable_set_text (GTK_EDITABLE (self->user_row), user);
        }
    }
  update_account (self);
}

static void
crm_preferences_window_constructed (GObject *object)
{
  CrmPreferencesWindow *self = (CrmPreferencesWindow *)object;
  g_autofree char *server = NULL;

  G_OBJECT_CLASS (crm_preferences_window_parent_class)->constructed (object);

  g_settings_bind_with_mapping (self->settings, "color-scheme",
                                self->color_scheme_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                color_scheme_get_mapping, color_scheme_set_mapping,
                                NULL, NULL);

  server = g_settings_get_string (self->settings, "sync-server");
  gtk_editable_set_text (GTK_EDITABLE (self->sync_server_row), server);
  update_account (self);
  crm_smtp_group_set_settings (self->smtp_group, self->settings);
}

static void
crm_preferences_window_dispose (GObject *object)
{
  CrmPreferencesWindow *self = (CrmPreferencesWindow *)object;

  if (self->sign_in_cancellable != NULL)
    g_cancellable_cancel (self->sign_in_cancellable);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (crm_preferences_window_parent_class)->dispose (object);
}

static void
crm_preferences_window_finalize (GObject *object)
{
  CrmPreferencesWindow *self = (CrmPreferencesWindow *)object;

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (crm_preferences_window_parent_class)->finalize (object);
}

static void
crm_preferences_window_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  CrmPreferencesWindow *self = CRM_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_preferences_window_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  CrmPreferencesWindow *self = CRM_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_preferences_window_class_init (CrmPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = crm_preferences_window_constructed;
  object_class->dispose = crm_preferences_window_dispose;
  object_class->finalize = crm_preferences_window_finalize;
  object_class->get_property = crm_preferences_window_get_property;

  g_type_ensure (CRM_TYPE_BACKUP_GROUP);
  g_type_ensure (CRM_TYPE_SMTP_GROUP);
  object_class->set_property = crm_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmPreferencesWindow, color_scheme_row);
  gtk_widget_class_bind_template_child (widget_class, CrmPreferencesWindow, sync_server_row);
  gtk_widget_class_bind_template_child (widget_class, CrmPreferencesWindow, company_row);
  gtk_widget_class_bind_template_child (widget_class, CrmPreferencesWindow, account_group);
  gtk_widget_class_bind_template_child (widget_class, CrmPreferencesWindow, user_row);
  gtk_widget_class_bind_template_child (widget_class, CrmPreferencesWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, CrmPreferencesWindow, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, CrmPreferencesWindow, account_row);
  gtk_widget_class_bind_template_child (widget_class, CrmPreferencesWindow, backup_group);
  gtk_widget_class_bind_template_child (widget_class, CrmPreferencesWindow, smtp_group);
  gtk_widget_class_bind_template_callback (widget_class, on_sync_server_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_company_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_password_activated);

  gtk_widget_class_install_action (widget_class, "prefs.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "prefs.ask-sign-out", NULL, ask_sign_out_action);
  gtk_widget_class_install_action (widget_class, "prefs.sign-out", "s", sign_out_action);
}

static void
crm_preferences_window_init (CrmPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->admin_page = crm_admin_page_new ();
  gtk_widget_set_visible (GTK_WIDGET (self->admin_page), FALSE);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (self->admin_page));
}

CrmPreferencesWindow *
crm_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (CRM_TYPE_PREFERENCES_WINDOW,
                       "settings", settings,
                       NULL);
}

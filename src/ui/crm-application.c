/* crm-application.c: the AdwApplication: app actions, style, About, startup timing */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "crm-application.h"
#include "crm-backup-scheduler.h"
#include "crm-campaign-scheduler.h"
#include "crm-greetings-scheduler.h"
#include "crm-context.h"
#include "crm-preferences-window.h"
#include "crm-window.h"

struct _CrmApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  char           *db_path;
  CrmBackupScheduler *backups;
  CrmGreetingsScheduler *greetings;
  CrmCampaignScheduler  *campaigns;
};

G_DEFINE_FINAL_TYPE (CrmApplication, crm_application, ADW_TYPE_APPLICATION)

static void
on_backup_failed (CrmBackupScheduler *scheduler,
                  const char         *message,
                  CrmApplication     *self)
{
  g_autoptr(GNotification) notification = g_notification_new (_("Backup failed"));

  g_notification_set_body (notification, message);
  g_notification_set_default_action (notification, "app.preferences");
  g_application_send_notification (G_APPLICATION (self), "backup-failed", notification);
}

static void
on_greetings_failed (CrmGreetingsScheduler *scheduler,
                     const char            *message,
                     CrmApplication        *self)
{
  g_autoptr(GNotification) notification = g_notification_new (_("Greetings not sent"));

  g_notification_set_body (notification, message);
  g_notification_set_default_action (notification, "app.preferences");
  g_application_send_notification (G_APPLICATION (self), "greetings-failed", notification);
}

static void
on_greetings_sent (CrmGreetingsScheduler *scheduler,
                   guint                  count,
                   CrmApplication        *self)
{
  g_autoptr(GNotification) notification = g_notification_new (_("Greetings sent"));
  g_autofree char *body = g_strdup_printf (g_dngettext (NULL, "%u birthday or holiday greeting went out today.",
                                                        "%u birthday and holiday greetings went out today.", count),
                                           count);

  g_notification_set_body (notification, body);
  g_application_send_notification (G_APPLICATION (self), "greetings-sent", notification);
}

static void
on_campaigns_launched (CrmCampaignScheduler *scheduler,
                       const char * const   *names,
                       CrmApplication       *self)
{
  g_autoptr(GNotification) notification = g_notification_new (_("Scheduled campaigns launched"));
  g_autofree char *list = g_strjoinv (_(", "), (char **) names);

  g_notification_set_body (notification, list);
  g_application_send_notification (G_APPLICATION (self), "campaigns-launched", notification);
}

static void
on_campaigns_failed (CrmCampaignScheduler *scheduler,
                     const char           *message,
                     CrmApplication       *self)
{
  g_autoptr(GNotification) notification = g_notification_new (_("Scheduled campaign not launched"));

  g_notification_set_body (notification, message);
  g_application_send_notification (G_APPLICATION (self), "campaigns-failed", notification);
}

static void
apply_color_scheme (CrmApplication *self)
{
  static const AdwColorScheme schemes[] = {
    ADW_COLOR_SCHEME_DEFAULT,
    ADW_COLOR_SCHEME_FORCE_LIGHT,
    ADW_COLOR_SCHEME_FORCE_DARK,
  };
  guint value = g_settings_get_enum (self->settings, "color-scheme");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      schemes[MIN (value, G_N_ELEMENTS (schemes) - 1)]);
}

/* bench/startup sets CRM_EXIT_AFTER_FIRST_FRAME: quit once the main window
 * has painted, so exec → first frame can be timed from outside. */
static void
on_first_frame_painted (GdkFrameClock *frame_clock,
                        GApplication  *app)
{
  g_signal_handlers_disconnect_by_func (frame_clock, on_first_frame_painted, app);
  g_application_quit (app);
}

static void
on_window_mapped (GtkWidget    *window,
                  GApplication *app)
{
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (window);

  g_signal_handlers_disconnect_by_func (window, on_window_mapped, app);
  g_signal_connect (frame_clock, "after-paint", G_CALLBACK (on_first_frame_painted), app);
}

static void
on_store_error_response (AdwMessageDialog *dialog,
                         const char       *response,
                         GtkWindow        *window)
{
  gtk_window_destroy (window);
}

/* The database could not be opened (corrupt, from a newer version, no
 * permission): say so over the window, touch nothing, and quit on close. */
static void
show_store_error (GtkWindow    *window,
                  const GError *error)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window,
                                                       _("Could Not Open the Database"),
                                                       error->message));
  adw_message_dialog_add_response (dialog, "quit", _("_Quit"));
  g_signal_connect (dialog, "response", G_CALLBACK (on_store_error_response), window);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
crm_application_activate (GApplication *app)
{
  CrmApplication *self = CRM_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CrmContext) context = crm_context_open (crm_application_get_db_path (self), &error);

      window = GTK_WINDOW (crm_window_new (ADW_APPLICATION (app), context));
      if (context != NULL && self->backups == NULL)
        {
          self->backups = crm_backup_scheduler_new (crm_store_get_path (crm_context_get_store (context)),
                                                    crm_context_get_settings (context));
          g_signal_connect (self->backups, "failed", G_CALLBACK (on_backup_failed), self);
          self->greetings = crm_greetings_scheduler_new (crm_store_get_path (crm_context_get_store (context)),
                                                         crm_context_get_settings (context));
          g_signal_connect (self->greetings, "failed", G_CALLBACK (on_greetings_failed), self);
          g_signal_connect (self->greetings, "sent", G_CALLBACK (on_greetings_sent), self);
          self->campaigns = crm_campaign_scheduler_new (crm_store_get_path (crm_context_get_store (context)),
                                                        crm_context_get_settings (context));
          g_signal_connect (self->campaigns, "launched", G_CALLBACK (on_campaigns_launched), self);
          g_signal_connect (self->campaigns, "failed", G_CALLBACK (on_campaigns_failed), self);
        }
      if (g_getenv ("CRM_EXIT_AFTER_FIRST_FRAME") != NULL)
        g_signal_connect (window, "map", G_CALLBACK (on_window_mapped), app);
      gtk_window_present (window);
      if (context == NULL)
        show_store_error (window, error);
      return;
    }

  gtk_window_present (window);
}

/* Options are parsed here, before GApplication's own parsing, so that a
 * mistyped option exits with status 2 and the usage, like crmctl. */
static gboolean
crm_application_local_command_line (GApplication   *app,
                                    char         ***arguments,
                                    int            *exit_status)
{
  CrmApplication *self = CRM_APPLICATION (app);
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = g_strdupv (*arguments);
  g_autofree char *db_path = NULL;
  gboolean version = FALSE;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Open the database at PATH"), N_("PATH") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Keep customers, sales and service in one place."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse_strv (context, &args, &error) || g_strv_length (args) > 1)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      if (error != NULL)
        g_printerr ("crm: %s\n\n%s", error->message, help);
      else
        g_printerr ("crm: %s “%s”\n\n%s", _("unexpected argument"), args[1], help);
      *exit_status = 2;
      return TRUE;
    }

  if (version)
    {
      printf ("crm %s\n", PACKAGE_VERSION);
      *exit_status = 0;
      return TRUE;
    }

  if (db_path != NULL)
    {
      g_free (self->db_path);
      self->db_path = g_steal_pointer (&db_path);
    }

  /* GApplication sees only what is left: our options are handled. */
  g_strfreev (*arguments);
  *arguments = g_steal_pointer (&args);

  return G_APPLICATION_CLASS (crm_application_parent_class)->local_command_line (app, arguments, exit_status);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows = gtk_application_get_windows (app);

  /* Close windows (not just quit) so each saves its state. */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  CrmApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  CrmPreferencesWindow *prefs = crm_preferences_window_new (self->settings);

  if (CRM_IS_WINDOW (parent))
    crm_preferences_window_set_context (prefs, crm_window_get_context (CRM_WINDOW (parent)));

  gtk_window_set_transient_for (GTK_WINDOW (prefs), parent);
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The CRM developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("CRM"),
                         "application-icon", "com.example.Crm",
                         "version", PACKAGE_VERSION,
                         "developer-name", _("The CRM developers"),
                         "developers", developers,
                         "comments", _("Keep customers, sales and service in one place, online or offline."),
                         "website", "https://crm.example.com/",
                         "issue-url", "https://crm.example.com/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "copyright", "© 2026 The CRM developers",
                         /* Translators: put your names here, one per line. */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

/* The default action of a "task due" notification: the task's contact. */
static void
show_contact_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  GtkApplication *app = user_data;
  GtkWindow *window = gtk_application_get_active_window (app);

  if (!CRM_IS_WINDOW (window))
    return;
  crm_window_show_contact (CRM_WINDOW (window), g_variant_get_string (parameter, NULL));
  gtk_window_present (window);
}

static void
crm_application_startup (GApplication *app)
{
  CrmApplication *self = CRM_APPLICATION (app);
  static const GActionEntry app_actions[] = {
    { "quit", quit_action },
    { "preferences", preferences_action },
    { "about", about_action },
    { "show-contact", show_contact_action, "s" },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (crm_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", preferences_accels);

  self->settings = g_settings_new ("com.example.Crm");
  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (apply_color_scheme), self, G_CONNECT_SWAPPED);
  apply_color_scheme (self);
}

static void
crm_application_finalize (GObject *object)
{
  CrmApplication *self = (CrmApplication *)object;

  g_clear_object (&self->backups);
  g_clear_object (&self->greetings);
  g_clear_object (&self->campaigns);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->db_path, g_free);

  G_OBJECT_CLASS (crm_application_parent_class)->finalize (object);
}

static void
crm_application_class_init (CrmApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = crm_application_finalize;
  app_class->activate = crm_application_activate;
  app_class->startup = crm_application_startup;
  app_class->local_command_line = crm_application_local_command_line;
}

static void
crm_application_init (CrmApplication *self)
{
}

/* Without a GPU (no DRM render node), GTK 4.8 draws with OpenGL in
 * software (llvmpipe): paging down the 880,000-contact list took about
 * 260 ms a frame that way and 25–40 ms with Cairo (bench/contacts-ui
 * under Xvfb). GSK_RENDERER, when set, still decides. Called before GTK
 * or any thread starts: setenv is not thread-safe. */
static void
prefer_cairo_without_gpu (void)
{
  g_autoptr(GDir) dri = NULL;
  const char *name;

  if (g_getenv ("GSK_RENDERER") != NULL)
    return;
  if (g_getenv ("LIBGL_ALWAYS_SOFTWARE") == NULL)
    {
      dri = g_dir_open ("/dev/dri", 0, NULL);
      while (dri != NULL && (name = g_dir_read_name (dri)) != NULL)
        if (g_str_has_prefix (name, "renderD"))
          return;
    }
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
}

CrmApplication *
crm_application_new (void)
{
  prefer_cairo_without_gpu ();
  return g_object_new (CRM_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "resource-base-path", "/com/example/Crm",
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

/* The database given with --db or $CRM_DB, or NULL for the default one. */
const char *
crm_application_get_db_path (CrmApplication *self)
{
  g_return_val_if_fail (CRM_IS_APPLICATION (self), NULL);

  return self->db_path ? self->db_path : g_getenv ("CRM_DB");
}

GSettings *
crm_application_get_settings (CrmApplication *self)
{
  g_return_val_if_fail (CRM_IS_APPLICATION (self), NULL);

  return self->settings;
}

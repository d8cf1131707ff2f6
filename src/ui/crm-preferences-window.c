/* crm-preferences-window.c: application preferences, bound straight to GSettings */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-preferences-window.h"

struct _CrmPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  /* Template widgets */
  AdwComboRow          *color_scheme_row;
  AdwEntryRow          *sync_server_row;
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
  object_class->finalize = crm_preferences_window_finalize;
  object_class->get_property = crm_preferences_window_get_property;
  object_class->set_property = crm_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmPreferencesWindow, color_scheme_row);
  gtk_widget_class_bind_template_child (widget_class, CrmPreferencesWindow, sync_server_row);
  gtk_widget_class_bind_template_callback (widget_class, on_sync_server_apply);
}

static void
crm_preferences_window_init (CrmPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CrmPreferencesWindow *
crm_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (CRM_TYPE_PREFERENCES_WINDOW,
                       "settings", settings,
                       NULL);
}

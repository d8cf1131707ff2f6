/* crm-context.c: one per window; widgets get it as a construct property, never from a global */

#include "config.h"

#include "crm-context.h"

struct _CrmContext
{
  GObject    parent_instance;

  CrmStore  *store;
  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (CrmContext, crm_context, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
crm_context_finalize (GObject *object)
{
  CrmContext *self = (CrmContext *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (crm_context_parent_class)->finalize (object);
}

static void
crm_context_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CrmContext *self = CRM_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_context_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CrmContext *self = CRM_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_context_class_init (CrmContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = crm_context_finalize;
  object_class->get_property = crm_context_get_property;
  object_class->set_property = crm_context_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CRM_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crm_context_init (CrmContext *self)
{
}

CrmContext *
crm_context_new (CrmStore  *store,
                 GSettings *settings)
{
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (CRM_TYPE_CONTEXT,
                       "store", store,
                       "settings", settings,
                       NULL);
}

/* Opens the database at @db_path (NULL: the default location). */
CrmContext *
crm_context_open (const char  *db_path,
                  GError     **error)
{
  g_autofree char *default_path = NULL;
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (db_path == NULL)
    db_path = default_path = crm_store_default_path ();

  store = crm_store_open (db_path, error);
  if (store == NULL)
    return NULL;

  settings = g_settings_new ("com.example.Crm");
  return crm_context_new (store, settings);
}

CrmStore *
crm_context_get_store (CrmContext *self)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), NULL);

  return self->store;
}

GSettings *
crm_context_get_settings (CrmContext *self)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), NULL);

  return self->settings;
}

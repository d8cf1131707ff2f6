/* crm-context.c: one per window; widgets get it as a construct property, never from a global */

#include "config.h"

#include "crm-context.h"
#include "crm-sync-credentials.h"

struct _CrmContext
{
  GObject    parent_instance;

  CrmStore  *store;
  GSettings *settings;
  CrmSyncController *sync;
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
crm_context_dispose (GObject *object)
{
  CrmContext *self = (CrmContext *)object;

  /* A sync still running holds its own references and ends cancelled. */
  if (self->sync != NULL)
    crm_sync_controller_shutdown (self->sync);
  g_clear_object (&self->sync);

  G_OBJECT_CLASS (crm_context_parent_class)->dispose (object);
}

static void
crm_context_constructed (GObject *object)
{
  CrmContext *self = (CrmContext *)object;

  G_OBJECT_CLASS (crm_context_parent_class)->constructed (object);

  self->sync = crm_sync_controller_new (self->store);
  g_settings_bind (self->settings, "sync-interval", self->sync, "interval", G_SETTINGS_BIND_GET);
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

  object_class->constructed = crm_context_constructed;
  object_class->dispose = crm_context_dispose;
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
  CrmContext *context;

  if (db_path == NULL)
    db_path = default_path = crm_store_default_path ();

  store = crm_store_open (db_path, error);
  if (store == NULL)
    return NULL;

  settings = g_settings_new ("com.example.Crm");
  context = crm_context_new (store, settings);
  crm_context_resume_sync (context);
  return context;
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

CrmSyncController *
crm_context_get_sync (CrmContext *self)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), NULL);

  return self->sync;
}

typedef struct
{
  char *server_url;
  char *user;
  char *client_id;
} Account;

static void
account_free (Account *account)
{
  g_free (account->server_url);
  g_free (account->user);
  g_free (account->client_id);
  g_free (account);
}

static void
lookup_token_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  Account *account = task_data;
  GError *error = NULL;
  char *token = crm_sync_credentials_lookup (account->server_url, account->user,
                                             account->client_id, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, token, g_free);
}

static void
on_token_found (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CrmContext *self = CRM_CONTEXT (source);
  Account *account = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *token = g_task_propagate_pointer (G_TASK (result), &error);

  if (error != NULL)
    g_warning ("Cannot read the sync sign-in token: %s", error->message);
  if (self->sync == NULL)
    return;
  /* Without a token the controller asks the user to sign in again. */
  crm_sync_controller_set_account (self->sync, account->server_url, account->user, token);
}

void
crm_context_resume_sync (CrmContext *self)
{
  g_autoptr(GTask) task = NULL;
  Account *account;
  char *server_url = NULL, *user = NULL;

  g_return_if_fail (CRM_IS_CONTEXT (self));

  if (crm_store_is_read_only (self->store) ||
      !crm_sync_account_get (self->store, &server_url, &user) ||
      crm_sync_account_is_signed_out (self->store))
    {
      g_free (server_url);
      g_free (user);
      return;
    }
  account = g_new0 (Account, 1);
  account->server_url = server_url;
  account->user = user;
  account->client_id = g_strdup (crm_store_get_client_id (self->store));
  task = g_task_new (self, NULL, on_token_found, NULL);
  g_task_set_source_tag (task, crm_context_resume_sync);
  g_task_set_task_data (task, account, (GDestroyNotify) account_free);
  g_task_run_in_thread (task, lookup_token_thread);
}

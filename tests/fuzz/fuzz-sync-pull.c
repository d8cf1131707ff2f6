/* fuzz-sync-pull.c: pull pages as a server (or anything answering in its
 * place) sends them, applied to a real client store */
#include "config.h"

#include <glib/gstdio.h>

#include "crm-store.h"
#include "crm-sync-engine.h"
#include "fuzz-target.h"

/* One store and engine for the run; the engine never connects (nothing
 * listens on port 1): pages go straight to the code that applies them. */
static char *store_dir;
static CrmStore *store;
static CrmSyncEngine *engine;

static void
remove_store (void)
{
  g_autofree char *path = g_build_filename (store_dir, "crm.db", NULL);
  static const char * const suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&engine);
  g_clear_object (&store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (store_dir);
}

static CrmSyncEngine *
get_engine (void)
{
  if (engine == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;

      store_dir = g_dir_make_tmp ("crm-fuzz-XXXXXX", &error);
      g_assert_no_error (error);
      path = g_build_filename (store_dir, "crm.db", NULL);
      store = crm_store_open (path, &error);
      g_assert_no_error (error);
      engine = crm_sync_engine_new (store, "http://127.0.0.1:1");
      atexit (remove_store);
    }
  return engine;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) page = crm_sync_parse_object ((const char *) data, size, &error);
  CrmSyncStats stats = { 0 };
  gint64 cursor = -1;
  guint n_changes = 0;
  gboolean more = FALSE;

  if (page == NULL)
    return 0;
  if (crm_sync_engine_apply_pull_page (get_engine (), page, &stats, &cursor, &n_changes, &more, &error))
    {
      g_assert (error == NULL);
      g_assert_cmpint (cursor, >=, 0);
      g_assert_cmpuint (stats.pulled, ==, n_changes);
    }
  else
    g_assert (error != NULL && error->message[0] != '\0');

  /* Whatever the page was, the store is left usable: no transaction open,
   * and remote changes no longer kept out of the outbox. */
  if (!crm_store_begin (store, &error))
    g_error ("a pull page left the store unusable: %s", error->message);
  crm_store_rollback (store);
  return 0;
}

/* fuzz-segment-rule.c: segment rules as users and files write them, through
 * validation, compilation to SQL and a count over a real store */
#include "config.h"

#include <glib/gstdio.h>

#include "crm-segment.h"
#include "crm-segment-rule.h"
#include "crm-store.h"
#include "fuzz-target.h"

/* One store for the whole run: opening one per input would be all the
 * fuzzer measures. It is removed when the process exits. */
static char *store_dir;
static CrmStore *store;

static void
remove_store (void)
{
  g_autofree char *path = g_build_filename (store_dir, "crm.db", NULL);
  static const char * const suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (store_dir);
}

static CrmStore *
get_store (void)
{
  if (store == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;

      store_dir = g_dir_make_tmp ("crm-fuzz-XXXXXX", &error);
      g_assert_no_error (error);
      path = g_build_filename (store_dir, "crm.db", NULL);
      store = crm_store_open (path, &error);
      g_assert_no_error (error);
      atexit (remove_store);
    }
  return store;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *rule = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  gint64 count = -1;

  if (!crm_segment_rule_validate (rule, &error))
    {
      g_assert (error != NULL && error->message[0] != '\0');
      return 0;
    }
  /* A rule that validates compiles to SQL that runs: never a syntax error,
   * a missing parameter or a crash, whatever its text holds. */
  if (!crm_segment_count (get_store (), rule, "2026-01-15", &count, &error))
    g_error ("valid rule %s fails to count: %s", rule, error->message);
  g_assert_cmpint (count, >=, 0);
  return 0;
}
